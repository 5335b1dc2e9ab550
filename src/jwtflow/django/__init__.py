"""The Django adapter: app config, settings, system checks, the blacklist model and the stores."""
