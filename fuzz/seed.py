#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the repository's fixtures.

    python3 fuzz/seed.py        # rewrites fuzz/corpus/{sidecar,anchor,markdown}/seed-*

Sources: tests/sites/*, tests/invalid/* and the bundled content/. Inputs are the NUL-separated
parts each target reads (see the top of each file in fuzz/fuzz_targets/). Files are named by
a hash of their content, so duplicates (many fixtures share a text) are written once.
Only the standard library is used.
"""

import hashlib
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
SEP = "\u2029"


def sites():
    """Every fixture's content folder."""
    yield from sorted((ROOT / "tests" / "sites").glob("*/content"))
    yield from sorted((ROOT / "tests" / "invalid").glob("*/content"))
    yield ROOT / "content"


def read(path):
    return path.read_bytes() if path.is_file() else None


def body_of(md):
    """The Markdown after the front matter."""
    text = md.decode("utf-8", "replace").replace("\r\n", "\n").lstrip("\ufeff")
    m = re.match(r"---\n.*?\n(?:---|\.\.\.)\n", text, re.S)
    return text[m.end():] if m else text


def reading_of(body):
    """A rough reading text: paragraphs without markup, joined by U+2029."""
    paras = []
    in_code = False
    for block in re.split(r"\n\s*\n", body):
        if block.lstrip().startswith("```"):
            in_code = block.count("```") % 2 == 1 and not in_code
            continue
        if in_code or block.lstrip().startswith("#") or not block.strip():
            continue
        t = re.sub(r"\[\[[^\]|]*\|([^\]]*)\]\]", r"\1", block)
        t = re.sub(r"\[\[([^\]]*)\]\]", r"\1", t)
        t = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", t)
        t = re.sub(r"^\s*(?:[-*+]|\d+\.|>)\s+", "", t, flags=re.M)
        t = t.replace("*", "").replace("`", "").replace("\n", " ")
        paras.append(t.strip())
    return SEP.join(paras)


def quotes_of(sidecar):
    """(quote, prefix, suffix) of each annotation, read loosely (no YAML parser)."""
    text = sidecar.decode("utf-8", "replace")
    out = []
    for item in re.split(r"\n\s*- ", text):
        fields = {}
        for key in ("quote", "prefix", "suffix"):
            m = re.search(rf"\b{key}:\s*(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\n]+)", item)
            if m:
                v = m.group(1).strip()
                if v[:1] in "\"'" and v[-1:] == v[:1]:
                    v = v[1:-1]
                fields[key] = v
        if "quote" in fields:
            out.append(fields)
    return out


def window(reading, quote):
    """The paragraphs around the quote's first words (the whole text if not found)."""
    paras = reading.split(SEP)
    head = quote[:20]
    for i, p in enumerate(paras):
        if head and head in p:
            return SEP.join(paras[max(0, i - 1): i + 2])
    return SEP.join(paras[:3])


def write(target, data, written):
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    path = CORPUS / target / name
    path.write_bytes(data)
    written[target].add(name)


def main():
    written = {t: set() for t in ("sidecar", "anchor", "markdown")}
    for t in written:
        (CORPUS / t).mkdir(parents=True, exist_ok=True)
        for old in (CORPUS / t).glob("seed-*"):
            old.unlink()
    for content in sites():
        site = read(content / "_site.yaml")
        glossary = read(content / "_glossary.yaml")
        for md_path in sorted(content.rglob("*.md")):
            md = md_path.read_bytes()
            sidecar = read(md_path.with_suffix(".yaml"))
            parts = [md]
            if sidecar is not None:
                parts.append(sidecar)
                if site is not None or glossary is not None:
                    parts.append(site or b"")
                if glossary is not None:
                    parts.append(glossary)
            write("sidecar", b"\0".join(parts), written)
            body = body_of(md)
            write("markdown", body.encode(), written)
            if sidecar is None:
                continue
            reading = reading_of(body)
            for q in quotes_of(sidecar)[:12]:
                parts = [window(reading, q["quote"]), q["quote"]]
                if "prefix" in q or "suffix" in q:
                    parts.append(q.get("prefix", ""))
                if "suffix" in q:
                    parts.append(q["suffix"])
                write("anchor", "\0".join(parts).encode(), written)
    # Hardening: long runs of the shapes that once made a build quadratic (smart
    # apostrophes, `[[` openers, entities, escapes) and a YAML alias fan-out.
    for run in ("don't ", "[[", "&amp;", "\\*", "*a* ", "don't [[ &amp; \\* *a* "):
        body = (run * (4096 // len(run) + 1))[:4096]
        write("markdown", body.encode(), written)
    aliases = b'questions: [&a "aaaaaaaaaaaaaaaa", ' + b", ".join([b"*a"] * 200) + b"]\n"
    write("sidecar", b"# A\n\nSome text.\n\0" + aliases, written)
    for target, names in written.items():
        print(f"{target}: {len(names)} seeds")


if __name__ == "__main__":
    main()
