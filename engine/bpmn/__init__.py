"""The SpiffWorkflow seam (its only importer): parsing, forms, restricted scripts, running instances."""
