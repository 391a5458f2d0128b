// Remote engines (vLLM, SGLang, llama.cpp server) behind the Functionary protocol.
