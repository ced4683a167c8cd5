"""A conversation over a corpus: what follow-up questions carry from the turns before, the log of past conversations, and the questions that open one."""
