"""Help menu: shortcuts generated from the declared commands, a guide for every panel and
Health finding, the README's tour."""

from __future__ import annotations

import re

from PySide6 import QtWidgets

from ui import help as help_ui
from ui.commands import Command
from ui.help_texts import HEALTH_GUIDE, PANEL_GUIDES
from workbench.paths import REPO_ROOT


def test_shortcut_list_is_generated_from_the_commands(window):
    rows = help_ui.shortcut_rows(window.registry)
    as_text = {(menu, command): keys for menu, command, keys in rows}
    assert as_text[("Train", "Train")] == "F5"
    assert as_text[("Edit", "Duplicate")] == "Ctrl+D"
    assert as_text[("Help", "Panel Guide")] == "F1"
    assert as_text[("Edit", "Copy")] == "Ctrl+C, Ctrl+Ins"  # not the keyboard's Copy key
    with_keys = [c for c in window.registry.commands.values()
                 if window.registry.actions[c.id].shortcuts()]
    assert len(rows) == len(with_keys)
    window.registry.add(Command("test.new", "Brand &New Thing", lambda: None, "Ctrl+Alt+J",
                                "&View"))
    assert ("View", "Brand New Thing", "Ctrl+Alt+J") in help_ui.shortcut_rows(window.registry)


def test_shortcuts_dialog_opens_from_the_help_menu(window, qtbot):
    window.registry.trigger("help.shortcuts")
    dialog = window.findChild(QtWidgets.QDialog, "shortcuts_dialog")
    assert dialog is not None and dialog.isVisible()
    commands = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert "Train" in commands and "Keyboard Shortcuts" in commands
    dialog.close()


def test_every_panel_has_a_guide(window):
    titles = {dock.windowTitle() for dock in window.findChildren(QtWidgets.QDockWidget)}
    guided = {title for title, _body in PANEL_GUIDES.values()}
    assert titles <= guided, f"no guide for {sorted(titles - guided)}"
    window.registry.trigger("help.guide")
    guide = window.findChild(QtWidgets.QDialog, "panel_guide")
    text = guide.browser.toPlainText()
    assert "Gradient norm per layer" in text and "Dead units per layer" in text
    assert "What each Health finding means" in text
    guide.close()


def test_every_health_finding_code_is_explained():
    sources = (REPO_ROOT / "workbench" / "train").glob("health*/**/*.py") if (
        REPO_ROOT / "workbench" / "train" / "health").is_dir() else [
        REPO_ROOT / "workbench" / "train" / "health.py"]
    codes: set[str] = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for code in re.findall(r'Finding\(\s*f?"([a-z_{}]+)"', text):
            codes.update({code.replace("{which}", w) for w in ("val", "test")})
    assert {"overfitting", "nan", "dead_relu", "class_imbalance"} <= codes
    assert codes <= set(HEALTH_GUIDE), f"not explained: {sorted(codes - set(HEALTH_GUIDE))}"


def test_guide_wording_matches_the_controls():
    """The guide says Train (the command), not 'Start in the Training panel'."""
    text = help_ui.guide_html()
    assert "Press <b>Train</b>" in text and "Press Start" not in text


def test_tour_is_the_readme_section(window, tmp_path):
    tour = help_ui.readme_tour()
    assert tour.startswith("## The app") and "## The command line" not in tour
    assert "Train (F5)" in " ".join(tour.split())
    window.registry.trigger("help.tour")
    dialog = window.findChild(QtWidgets.QDialog, "tour")
    assert "Dashboard" in dialog.browser.toPlainText()
    dialog.close()
    assert "not installed" in help_ui.readme_tour(tmp_path / "README.md")


def test_help_commands_have_tooltips(window):
    for command_id in ("help.guide", "help.shortcuts", "help.tour", "view.start_page"):
        assert window.registry.commands[command_id].tooltip


def test_no_text_sends_people_to_a_start_button():
    """The command is Train (toolbar, Train menu, Training panel); no message says Start."""
    for path in (REPO_ROOT / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"[Pp]ress Start", text), f"{path.name} says 'Press Start'"


def test_menus_show_their_tooltips(window):
    for action in window.menuBar().actions():
        assert action.menu().toolTipsVisible(), action.text()
