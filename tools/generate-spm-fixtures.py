#!/usr/bin/env python3
"""Writes the sentencepiece parity fixtures the XCTests compare against, from sentencepiece
0.2.3 itself: Tests/TokenizersTests/Fixtures/spm/<set>-<model>.jsonl.

usage: $DSPREP_PYTHON tools/generate-spm-fixtures.py [../shared]

Sets: `adversarial` (tools/fixtures/spm-adversarial.txt) and `reviews` (the first 200 documents
of ../shared/data/reviews/reviews.tsv). Models: ../shared/vocab/nsmc-unigram-16k.model
(`nsmc16k`) and the committed byte-fallback fixture model (`bytefallback`). Each line:
text, ids, pieces (id_to_piece), offsets ([start, end) in Unicode scalars of text, converted
from the byte spans of `encode(return_type="proto")`), normalized (`normalize`) and decoded
(`decode(ids)`)."""
import json, os
import sentencepiece as spm

from spm_fixture_inputs import adversarial_texts, model_paths as models, out_dir, review_documents

adversarial = adversarial_texts()
reviews = review_documents(limit=200)

def scalar_offsets(text, begin, end):
    # byte offset -> index of the Unicode scalar holding that byte (end maps to the count).
    starts = []
    for index, ch in enumerate(text):
        starts.extend([index] * len(ch.encode("utf-8")))
    starts.append(len(text))
    return [starts[begin], starts[end]]

for model_name, model_path in models.items():
    sp = spm.SentencePieceProcessor(model_file=model_path)
    for set_name, texts in (("adversarial", adversarial), ("reviews", reviews)):
        path = os.path.join(out_dir, f"{set_name}-{model_name}.jsonl")
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            for text in texts:
                ids = sp.encode(text)
                proto = sp.encode(text, return_type="proto")
                assert [p.id for p in proto.pieces] == ids
                record = {
                    "text": text,
                    "ids": ids,
                    "pieces": [sp.id_to_piece(i) for i in ids],
                    "offsets": [scalar_offsets(text, p.begin, p.end) for p in proto.pieces],
                    "normalized": sp.normalize(text),
                    "decoded": sp.decode(ids),
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"wrote {path}")
