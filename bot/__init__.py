"""普法助手: the chat engine behind a WeChat Official Account for precise legal education."""
