"""The DRF adapter: authentication classes, the async API view, the token endpoints."""
