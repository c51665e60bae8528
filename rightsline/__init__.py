"""The composition root: the one place that imports both the service and its channels.

`service/` (the engine, the relay, storage and the web chat) knows nothing of Telegram;
`bot/` speaks only to the engine, the relay and the settings. Here they are wired together:
`rightsline.app.create_app` is the web service with the bot inside it, and `rightsline.cli`
is the `rightsline` command.
"""
