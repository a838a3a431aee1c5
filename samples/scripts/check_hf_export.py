# Loads the folders that `genai4j llm export` wrote from the three fixtures with Hugging Face
# transformers and compares them with the fixtures' references (transformers' logits and greedy ids,
# run.c's ids, the GPT-2 tokenizer). Usage, with a python that has torch and transformers:
#   for m in gpt2-tiny llama-tiny llama2c-stories260K/stories260K.bin; do
#     ./genai4j llm export --model FIXTURES/$m --out EXPORT/$(basename $m .bin); done
#   python samples/scripts/check_hf_export.py FIXTURES EXPORT
import json, torch, sys
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, GPT2Tokenizer
F = sys.argv[1].rstrip("/") + "/"    # the fixtures folder
EXP = sys.argv[2].rstrip("/") + "/"  # where llm export wrote gpt2-tiny, llama-tiny and stories260K
torch.set_grad_enabled(False)
for name in ["gpt2-tiny", "llama-tiny"]:
    m = AutoModelForCausalLM.from_pretrained(EXP + name, torch_dtype=torch.float32).eval()
    ref = load_file(F + name + "/reference.safetensors")
    ids = ref["input_ids"].view(1, -1)
    logits = m(ids).logits[0]
    print(name, type(m).__name__, "max |logit - reference| =", (logits - ref["logits"]).abs().max().item())
    r = json.load(open(F + name + "/reference.json"))
    out = m.generate(ids, max_new_tokens=len(r["greedy_ids"]), do_sample=False)[0, ids.shape[1]:].tolist()
    print(name, "greedy ids equal:", out == r["greedy_ids"])
tok = GPT2Tokenizer.from_pretrained(EXP + "gpt2-tiny")
tr = json.load(open(F + "gpt2-tiny/tokenizer-reference.json"))
print("GPT2Tokenizer from exported vocab/merges matches:", all(tok.encode(e["text"]) == e["ids"] for e in tr))
m = AutoModelForCausalLM.from_pretrained(EXP + "stories260K", torch_dtype=torch.float32).eval()
r = json.load(open(F + "llama2c-stories260K/reference.json"))
out = m.generate(torch.tensor([r["prompt_ids"]]), max_new_tokens=80, do_sample=False, eos_token_id=None)[0, 1:].tolist()
print("stories260K exported, transformers greedy = run.c's 80 ids:", out == r["ids"])
