"""A streaming Table Schema checker that reports what Frictionless reports, an order of magnitude faster.

It checks a package's CSV resources against their Table Schemas: ``hash`` and
``bytes``, header labels, row length (``extra-cell``/``missing-cell``), blank
rows, types, constraints (required, pattern, enum, minimum), primary keys and
foreign keys, in Frictionless's error types, row positions (header = row 1) and
notes; and, in the same pass, the PII gate (``pii-nik``, value never shown, header
included) and bytes that are not UTF-8 (one ``encoding-error``; the rest of the file
is still checked).

Why it is fast: a file is read in blocks of about 1 MiB, and each block of whole
lines is matched by one compiled regular expression built from the schema (one
``findall`` call), which accepts only cells that are certainly valid and, in the
same call, captures the key columns as text. Key cells must be in canonical form
(``0|-?[1-9][0-9]*`` for an integer), so equal text means equal value; other
integer cells only need to be digits. A block with a line the expression rejects
(unusual but valid numbers such as ``+7``, or a real error) is read line by line
with Frictionless's own casting rules; a quoted record takes that path alone, and
the block path resumes after it. The file's hash is computed in a thread beside
the pass (``hashlib`` releases the GIL).

Memory stays flat: keys are checked in the order releasekit writes rows, with
:mod:`releasekit.keycheck` (a primary key is unique when its keys increase; the
keys other resources reference are kept as compressed sorted runs, looked up run
by run). A foreign key whose target holds a handful of keys (an election, its
candidates) is checked inside the block expression itself.

Two cores: on Linux, the largest resource no other resource points at (``suara``)
is checked in a forked second process (:mod:`releasekit.forked`) while this one
checks the others; its lookups into resources not yet checked are deferred to the
end, and if one fails the resource is checked again here, so the report is the
one-process report.

Modules: :mod:`.checker` runs the package (resource order, the second process, hashes);
:mod:`.rowpass` is one resource's pass over its rows; :mod:`.layout` builds the block
expression; :mod:`.fields` compiles schema fields; :mod:`.text` reads CSV text
(records, line ends, bytes that are not UTF-8); :mod:`.descriptor` reads the parts of a
descriptor the checker relies on.
"""

from .checker import ERROR_LIMIT, Checker, check_package

__all__ = ["ERROR_LIMIT", "Checker", "check_package"]
