"""Python attribute names for node ids, shared by compile and codegen (no torch).

A node's submodule is registered under a name derived from its id, so ``GraphModule`` and the
generated ``Network`` have the same ``state_dict`` keys. Ids that are already valid, safe
identifiers are kept as they are (``fc1`` -> ``fc1``); others are cleaned up deterministically.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

# Attributes of torch.nn.Module (torch 2.x) and names the generated forward() uses: a submodule
# named like one of these would shadow it.
RESERVED = frozenset("""
T_destination call_super_init dump_patches training forward add_module apply bfloat16 buffers
children compile cpu cuda double eval extra_repr float get_buffer get_extra_state get_parameter
get_submodule half ipu load_state_dict modules mtia named_buffers named_children named_modules
named_parameters parameters register_backward_hook register_buffer register_forward_hook
register_forward_pre_hook register_full_backward_hook register_full_backward_pre_hook
register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module
register_parameter register_state_dict_post_hook register_state_dict_pre_hook requires_grad_
set_extra_state set_submodule share_memory smart_apply state_dict to to_empty train type xpu
zero_grad x self torch nn spec node_names input_shape input_dtype input_node output_node
""".split())


def attribute_name(node_id: str) -> str:
    """A valid, safe Python identifier for ``node_id`` (before de-duplication)."""
    name = re.sub(r"[^0-9a-zA-Z_]", "_", node_id)
    if (not name or name[0].isdigit() or name.startswith("_") or keyword.iskeyword(name)
            or name in RESERVED):
        name = "n_" + name.lstrip("_")
    return name


def attribute_names(node_ids: Iterable[str]) -> dict[str, str]:
    """Unique attribute names for ids, in order; later clashes get ``_2``, ``_3`` ..."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for node_id in node_ids:
        base = attribute_name(node_id)
        name, index = base, 2
        while name in used:
            name = f"{base}_{index}"
            index += 1
        used.add(name)
        names[node_id] = name
    return names
