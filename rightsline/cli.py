"""The `rightsline` command: the service's commands, serving every channel, and `bot`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from service import cli
from service.settings import Settings

# Each worker process builds its own app from the environment, so uvicorn gets it by name.
APP = "rightsline.app:create_app"


def _bot(_args: argparse.Namespace) -> int:
    settings = Settings()
    if settings.telegram_bot_token is None:
        print("Set TELEGRAM_BOT_TOKEN to run the Telegram bot.", file=sys.stderr)
        return 2
    # Imported here, not above: the bot brings the model and the engine, which `purge` or
    # `advocate add` need not wait for.
    from bot.web import run_polling

    asyncio.run(run_polling(settings))
    return 0


def build_parser() -> argparse.ArgumentParser:
    return cli.build_parser(app=APP, bot=_bot)


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, parser=build_parser())


if __name__ == "__main__":
    raise SystemExit(main())
