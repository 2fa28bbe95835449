"""The crawler's User-Agent, from the settings: one rule for the spiders and for a page fetched outside a crawl."""

from __future__ import annotations

from .. import __version__


def templated_user_agent(settings) -> str | None:
    """NEWSSPIDER_USER_AGENT filled in with the version and NEWSSPIDER_CONTACT, or None when
    there is no template or USER_AGENT was set at a higher priority (on the command line, say).

    Shared by ArchiveSpider.update_settings and user_agent(), so that a saved fixture is
    fetched as the crawler fetches."""
    template = settings.get("NEWSSPIDER_USER_AGENT")
    if not template or (settings.getpriority("USER_AGENT") or 0) > settings.getpriority("NEWSSPIDER_USER_AGENT"):
        return None
    return template.format(version=__version__, contact=settings.get("NEWSSPIDER_CONTACT") or "unset")


def user_agent(settings) -> str:
    """The crawler's User-Agent: the templated one, else USER_AGENT."""
    agent = templated_user_agent(settings)
    return settings.get("USER_AGENT") if agent is None else agent
