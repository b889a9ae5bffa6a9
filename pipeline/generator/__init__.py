"""The site generator, the replaceable last step: MkDocs + Material over the generated pages, its page cache, the search index rewritten."""
