"""Writes the tokenizer.json files the generic-pipeline benchmarks run (HF tokenizers builds them,
so both implementations read the same file), over the KR-BERT character WordPiece vocabulary:
  regex-krbert.json    Replace-regex normalizers (\\s+ -> " ", [0-9]+ -> "0", (ㅋ|ㅎ)+ -> "ㅋ") and
                       Split pre-tokenizers (GPT-2's pattern, Isolated; then \\s+ Removed)
  generic-krbert.json  no regex and not BERT's fused path: NFC + Lowercase, then WhitespaceSplit,
                       Punctuation and individual Digits, with BERT's [CLS] $A [SEP] template
usage: python tools/bench/make-bench-tokenizers.py VOCAB.txt OUT_FOLDER"""
import os
import sys
from tokenizers import Regex, Tokenizer, models, normalizers as N, pre_tokenizers as P, processors

vocab, folder = sys.argv[1:3]


def wordpiece():
    return Tokenizer(models.WordPiece.from_file(vocab, unk_token="[UNK]"))


regex = wordpiece()
gpt2 = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
regex.normalizer = N.Sequence([N.Replace(Regex(r"\s+"), " "), N.Replace(Regex(r"[0-9]+"), "0"),
                               N.Replace(Regex(r"(ㅋ|ㅎ)+"), "ㅋ")])
regex.pre_tokenizer = P.Sequence([P.Split(Regex(gpt2), "isolated"), P.Split(Regex(r"\s+"), "removed")])
regex.save(os.path.join(folder, "regex-krbert.json"))

generic = wordpiece()
generic.normalizer = N.Sequence([N.NFC(), N.Lowercase()])
generic.pre_tokenizer = P.Sequence([P.WhitespaceSplit(), P.Punctuation(), P.Digits(individual_digits=True)])
cls, sep = generic.token_to_id("[CLS]"), generic.token_to_id("[SEP]")
generic.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                       special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
generic.save(os.path.join(folder, "generic-krbert.json"))
