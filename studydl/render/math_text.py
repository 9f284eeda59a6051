"""LaTeX math as readable Unicode text, through pylatexenc.

pylatexenc turns macros into their symbols (`\\sigma` -> σ, `\\leq` -> ≤, `\\mathbb{R}`
-> ℝ) but leaves `^` and `_` as they are and writes `\\frac{a}{b}` as `a/b` without
brackets, so `\\frac{1}{1+e^{-x}}` would read `1/1+e^-x`. A thin layer on top of its
node walker does those two: scripts become Unicode super/subscripts when every
character has one (`e⁻ˣ`, `x_i` -> `xᵢ`), else `^(...)`/`_(...)`; a fraction's
numerator and denominator get brackets when they are more than one term
(`1/(1+e⁻ˣ)`). A norm's `\\|` becomes ‖. Anything pylatexenc cannot read is shown as
the LaTeX itself, never an error.
"""

from __future__ import annotations

from functools import lru_cache

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

SUPERSCRIPT = dict(zip(
    "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθιφχ⊤′−",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᶥᵠᵡᵀ′⁻",
    strict=True,
))
SUBSCRIPT = dict(zip(
    "0123456789+-=()aehijklmnoprstuvxβγρφχ−",
    "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ₋",
    strict=True,
))


def script(text: str, superscript: bool) -> str:
    """`text` raised or lowered in Unicode, or `^(text)`/`_(text)` when a character has no such form."""
    table = SUPERSCRIPT if superscript else SUBSCRIPT
    stripped = text.replace(" ", "")
    if stripped and all(ch in table for ch in stripped):
        return "".join(table[ch] for ch in stripped)
    mark = "^" if superscript else "_"
    return f"{mark}{stripped}" if len(stripped) == 1 else f"{mark}({text.strip()})"


def _bracketed(text: str) -> str:
    """A fraction's part: bare if one term (`2`, `x`, `e⁻ˣ`, `√(d)`), else in brackets."""
    text = text.strip()
    simple = all(ch not in text for ch in "+-−=·× /") or (text.startswith("(") and text.endswith(")"))
    return text if simple else f"({text})"


class _MathToText(LatexNodes2Text):
    """pylatexenc's converter with scripts and fractions made readable (see the module's note)."""

    def nodelist_to_text(self, nodelist: list) -> str:  # type: ignore[override]
        out = ""
        nodes = list(nodelist)
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if node is not None and node.isNodeType(latexwalker.LatexCharsNode):
                text, i = self._chars_with_scripts(node.chars, nodes, i)
                out += text
                continue
            if (
                i > 0
                and self._is_bare_macro_node(nodes[i - 1])
                and node is not None
                and node.isNodeType(latexwalker.LatexCharsNode) is False
                and nodes[i - 1].macro_post_space
            ):
                out += " "
            out += self.node_to_text(node)
            if self._is_bare_macro_node(node) and node.macro_post_space and i + 1 < len(nodes):
                following = nodes[i + 1]
                if following is not None and following.isNodeType(latexwalker.LatexCharsNode):
                    out += " "
            i += 1
        return out

    def _chars_with_scripts(self, chars: str, nodes: list, i: int) -> tuple[str, int]:
        """Text of a chars node, its `^`/`_` applied to the next character or node; the next index."""
        out = ""
        k = 0
        while k < len(chars):
            ch = chars[k]
            if ch not in "^_":
                out += ch
                k += 1
                continue
            superscript = ch == "^"
            rest = chars[k + 1 :].lstrip()
            if rest:
                out += script(rest[0], superscript)
                k = len(chars) - len(rest) + 1
                continue
            if i + 1 < len(nodes):  # the script is the next node: a {group} or a \macro
                scripted = nodes[i + 1]
                out += script(self.node_to_text(scripted), superscript)
                following = nodes[i + 2] if i + 2 < len(nodes) else None
                if self._is_bare_macro_node(scripted) and scripted.macro_post_space and following is not None:
                    out += " "
                return out, i + 2
            out += ch
            k += 1
        return out, i + 1


def _fraction(node: latexwalker.LatexMacroNode, l2tobj: LatexNodes2Text) -> str:
    args = node.nodeargd.argnlist if node.nodeargd is not None else []
    if len(args) < 2 or args[-2] is None or args[-1] is None:
        return node.latex_verbatim()
    top, bottom = (l2tobj.nodelist_to_text([arg]).replace("∂ ", "∂") for arg in args[-2:])
    return f"{_bracketed(top)}/{_bracketed(bottom)}"


@lru_cache(maxsize=1)
def _converter() -> _MathToText:
    context = get_default_latex_context_db().filter_context()
    context.add_context_category(
        "studydl-math",
        prepend=True,
        macros=[
            *(MacroTextSpec(name, simplify_repl=_fraction) for name in ("frac", "dfrac", "tfrac")),
            MacroTextSpec("|", simplify_repl="‖"),
            MacroTextSpec("Vert", simplify_repl="‖"),
            MacroTextSpec("lVert", simplify_repl="‖"),
            MacroTextSpec("rVert", simplify_repl="‖"),
            MacroTextSpec("top", simplify_repl="⊤"),
            MacroTextSpec("intercal", simplify_repl="⊤"),
            MacroTextSpec("odot", simplify_repl="⊙"),
        ],
    )
    return _MathToText(latex_context=context, math_mode="text", strict_latex_spaces="based-on-source")


@lru_cache(maxsize=512)
def latex_to_unicode(latex: str) -> str:
    """One formula (without its `$`) as Unicode text; the LaTeX itself if it cannot be read."""
    try:
        text = _converter().latex_to_text(latex.strip())
    except Exception:  # pylatexenc raises several kinds on malformed input
        return latex
    text = " ".join(text.split())
    return text.replace("∂ ", "∂").replace("∇ ", "∇")
