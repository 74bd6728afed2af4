"""The desktop app: the only package that imports Qt. It holds no business logic."""
