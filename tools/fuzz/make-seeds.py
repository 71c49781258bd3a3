#!/usr/bin/env python3
"""Writes the seed corpora of tools/fuzz/fuzz.sh: one small valid file per fuzz target, made with the
reference libraries (tokenizers, sentencepiece) so every seed is a file the real tools accept.

usage: $(tools/setup/setup-peers.sh) tools/fuzz/make-seeds.py   (writes tools/fuzz/corpus/TARGET/*)
The Arrow seed comes from `dsprep ingest` (pass DSPREP_BIN, default .build/debug/dsprep).
"""
import io, json, os, struct, subprocess, sys, tempfile

import sentencepiece as spm
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, Regex

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
corpus = os.path.join(root, "tools", "fuzz", "corpus")
texts = ["아 더빙.. 진짜 짜증나네요 목소리", "흠...포스터보고 초딩영화줄....오버연기조차 가볍지 않구나",
         "Hello, world! 123 ㅋㅋㅋ", "너무재밓었다그래서보는것을추천한다"]


def write(target, name, data):
    folder = os.path.join(corpus, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


# Delimited and JSON inputs: quoting, BOM, CRLF, empty cells, numbers, pairs.
write("csv", "quoted.csv", 'document,label\n"a ""quoted"" text, with comma",1\n한국어 문장,0\n,1\n')
write("csv", "crlf-bom.csv", "\ufeffsentence1,sentence2,score\r\n가,나,3.5\r\n다,라,0\r\n")
write("tsv", "nsmc.tsv", "id\tdocument\tlabel\n9976970\t" + texts[0] + "\t0\n3819312\t" + texts[1] + "\t1\n")
write("jsonl", "rows.jsonl", "".join(json.dumps({"text": t, "label": i % 2}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)))
write("json", "array.json", json.dumps([{"sentence1": a, "sentence2": b, "score": 1.5} for a, b in zip(texts, texts[1:])], ensure_ascii=False))

# Tokenizers: WordPiece (BERT pipeline), Unigram (sentencepiece pipeline), regex components.
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "아", "더", "##빙", "진짜", ".", ",", "!", "hello", "world", "1", "##2", "##3", "ㅋ", "##ㅋ"]
write("vocab-txt", "vocab.txt", "".join(v + "\n" for v in vocab))
wordpiece = Tokenizer(models.WordPiece({v: i for i, v in enumerate(vocab)}, unk_token="[UNK]"))
wordpiece.normalizer = normalizers.BertNormalizer(lowercase=False)
wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
wordpiece.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                         special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
write("tokenizer-json", "wordpiece.json", wordpiece.to_str())
regex = Tokenizer(models.WordPiece({v: i for i, v in enumerate(vocab)}, unk_token="[UNK]"))
regex.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(r"\s{2,}"), " "), normalizers.Lowercase()])
regex.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(r"\p{L}+|\p{N}+|[^\s\p{L}\p{N}]+"), "isolated"), pre_tokenizers.Digits()])
write("tokenizer-json", "regex.json", regex.to_str())

with tempfile.TemporaryDirectory() as scratch:
    text_file = os.path.join(scratch, "corpus.txt")
    with open(text_file, "w") as f:
        f.write("\n".join(texts * 20) + "\n")
    prefix = os.path.join(scratch, "tiny")
    spm.SentencePieceTrainer.train(input=text_file, model_prefix=prefix, vocab_size=327, byte_fallback=True,
                                   character_coverage=1.0, normalization_rule_name="identity", minloglevel=2)
    with open(prefix + ".model", "rb") as f:
        write("spm-model", "tiny-bytefallback.model", f.read())
    processor = spm.SentencePieceProcessor(model_file=prefix + ".model")
    pieces = [(processor.id_to_piece(i), processor.get_score(i)) for i in range(processor.get_piece_size())]
    unigram = Tokenizer(models.Unigram(pieces, unk_id=processor.unk_id(), byte_fallback=True))
    unigram.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(" ", "\u2581")])
    unigram.pre_tokenizer = pre_tokenizers.Metaspace()
    write("tokenizer-json", "unigram.json", unigram.to_str())

    # Arrow: a dataset file as `dsprep ingest` writes it.
    dsprep = os.environ.get("DSPREP_BIN", os.path.join(root, ".build", "debug", "dsprep"))
    subprocess.run([dsprep, "ingest", os.path.join(corpus, "tsv", "nsmc.tsv"), "--out", os.path.join(scratch, "ds")], check=True,
                   stdout=subprocess.DEVNULL)
    arrow = [os.path.join(dirpath, n) for dirpath, _, names in os.walk(os.path.join(scratch, "ds")) for n in names if n.endswith(".arrow")]
    with open(arrow[0], "rb") as f:
        write("arrow", "nsmc.arrow", f.read())


# safetensors: F32, F16 and BF16 tensors and an int64 buffer, laid out by the format's spec.
def safetensors(tensors):
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


write("safetensors", "mixed.safetensors", safetensors({
    "classifier.weight": ("F32", [2, 3], struct.pack("<6f", 0.5, -1, 2, 0, 1e-3, 7)),
    "embeddings.half": ("F16", [2], struct.pack("<2e", 1.5, -2)),
    "embeddings.bf16": ("BF16", [1], struct.pack("<H", 0x3F80)),
    "embeddings.position_ids": ("I64", [1, 3], struct.pack("<3q", 0, 1, 2)),
}))

# pytorch_model.bin: torch.save of a state dict of every dtype and view (the weights fixture).
with open(os.path.join(root, "Tests", "TrainingTests", "Fixtures", "weights", "state_dict.bin"), "rb") as f:
    write("pytorch-bin", "state_dict.bin", f.read())

with open(os.path.join(root, "tools", "recipes", "train-nsmc-bag.yaml")) as f:
    write("train-config", "nsmc-bag.yaml", f.read())
write("train-config", "sections.yaml", "model:\n  type: transformer\n  layers: 2\noptimizer:\n  learning_rate: 5e-5  # comment\nseed: '7'\n")
print(f"seeds written to {corpus}")
