"""Amounts in Vietnamese words ("Số tiền bằng chữ" on a receipt). Pure, no Django.

Conventions of accounting documents: "linh" for a zero tens digit after hundreds (một trăm
linh năm), "mười" for 10–19, "mươi" from 20, "mốt" for a final 1 after twenty and more,
"lăm" for a final 5 after ten and more, "tư" not used (bốn), groups "nghìn", "triệu",
"tỷ" (a thousand billion: "nghìn tỷ"), inner zero hundreds read "không trăm"; the first
letter capitalised and "đồng" appended by ``vnd_in_words``.
"""
DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
GROUPS = ["", "nghìn", "triệu", "tỷ"]


def _three(n: int, full: bool) -> list[str]:
    """Words of 0 ≤ n < 1000; ``full`` reads leading zero hundreds ("không trăm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and (hundreds or full):
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        else:
            words.append(DIGITS[units])
    return words


def number_in_words(n: int) -> str:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("a whole number from 0 is expected")
    if n == 0:
        return "không"
    if n >= 1_000_000_000:
        billions, rest = divmod(n, 1_000_000_000)
        words = number_in_words(billions).split() + ["tỷ"]
        if rest:
            words += _below_billion(rest, full=True)
        return " ".join(words)
    return " ".join(_below_billion(n, full=False))


def _below_billion(n: int, full: bool) -> list[str]:
    groups = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    words: list[str] = []
    top = len(groups) - 1
    for i in range(top, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        words += _three(g, full or i < top)
        if GROUPS[i]:
            words.append(GROUPS[i])
    return words


def vnd_in_words(amount: int) -> str:
    text = number_in_words(amount) + " đồng"
    return text[0].upper() + text[1:]
