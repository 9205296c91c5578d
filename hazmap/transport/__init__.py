"""Transport plumbing: the JT/T 808 listener, its storage sink, a terminal simulator, the rules loaders."""
