"""Chat model providers: the bundled SmolLM2 in-process, or any OpenAI-compatible endpoint.

Both are LangChain chat models, so the agent, the fixed plan and the eval
baselines drive them the same way. Provider failures become ProviderError
with the setting to fix; retries are bounded so nothing hangs.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from .config import Settings
from .errors import AssistantError, ConfigError, ProviderError
from .models import ProviderStatus
from .resources import local_model_path, provider_label

__all__ = ["LocalChatModel", "make_chat_model", "invoke_text", "stream_text", "provider_label", "probe_provider"]

_PROBE_SECONDS = 5.0

_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "user"}


@lru_cache(maxsize=2)
def _load_llama(path: Path, context: int, threads: int):
    try:
        from llama_cpp import Llama
    except ImportError:
        raise ConfigError("llama-cpp-python is not installed, so the local provider cannot run",
                          "run `pip install 'research-assistant[local]'`, or use ASSISTANT_PROVIDER=openai") from None

    model = Llama(model_path=str(path), n_ctx=context, n_threads=threads, verbose=False)
    atexit.register(model.close)  # freed while llama_cpp's module is whole, not from __del__ at interpreter teardown
    return model, threading.Lock()


class LocalChatModel(BaseChatModel):
    """SmolLM2-135M (or any GGUF) through llama-cpp-python, in this process, no network."""

    model_path: Path
    context_tokens: int = 2048
    threads: int = 2
    temperature: float = 0.0
    max_tokens: int = 200
    _llama: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-local"

    def _engine(self):
        if self._llama is None:
            self._llama, self._lock = _load_llama(self.model_path, self.context_tokens, self.threads)
        return self._llama

    def _payload(self, messages: list[BaseMessage], stop: list[str] | None) -> dict:
        return {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stop": stop or None,
            "seed": 0,
        }

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        engine = self._engine()
        with self._lock:
            reply = engine.create_chat_completion(**self._payload(messages, stop))
        text = reply["choices"][0]["message"].get("content") or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        engine = self._engine()
        with self._lock:
            for part in engine.create_chat_completion(stream=True, **self._payload(messages, stop)):
                token = part["choices"][0].get("delta", {}).get("content") or ""
                if token:
                    if run_manager:
                        run_manager.on_llm_new_token(token)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=token))


def make_chat_model(settings: Settings) -> BaseChatModel:
    if settings.provider == "local":
        return LocalChatModel(
            model_path=local_model_path(settings),
            context_tokens=settings.local_context_tokens,
            threads=settings.local_threads,
            temperature=settings.temperature,
            max_tokens=settings.max_answer_tokens,
        )
    from langchain_openai import ChatOpenAI

    key = _api_key(settings)
    if not key and not settings.openai_base_url:
        raise ConfigError(
            "the openai provider needs an API key",
            "set OPENAI_API_KEY, or OPENAI_BASE_URL for a local OpenAI-compatible server",
        )
    return ChatOpenAI(
        model=settings.model,
        api_key=key or "not-needed",
        base_url=settings.openai_base_url,
        temperature=settings.temperature,
        max_tokens=settings.max_answer_tokens,
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
    )


def _api_key(settings: Settings) -> str | None:
    raw = settings.openai_api_key
    return raw.get_secret_value() if hasattr(raw, "get_secret_value") else (raw or None)  # model_copy skips coercion


def probe_provider(settings: Settings) -> ProviderStatus:
    """Can the configured model answer now? The local model file exists, or the endpoint lists its models.

    The endpoint is asked once, without retries and for at most a few seconds, so a settings page never hangs.
    """
    try:
        label = provider_label(settings)
    except AssistantError as exc:
        return ProviderStatus(provider=settings.provider, model="", reachable=False, detail=exc.one_line())
    if settings.provider == "local":
        return ProviderStatus(provider="local", model=label, reachable=True,
                              detail="runs in this process; no network needed")
    import openai

    key = _api_key(settings)
    status = ProviderStatus(provider="openai", model=label, base_url=settings.openai_base_url, reachable=False)
    if not key and not settings.openai_base_url:
        return status.model_copy(update={"detail": "no API key and no base URL: set OPENAI_API_KEY, or the base "
                                                   "URL of an OpenAI-compatible server"})
    client = openai.OpenAI(api_key=key or "not-needed", base_url=settings.openai_base_url,
                           timeout=min(_PROBE_SECONDS, settings.request_timeout), max_retries=0)
    try:
        served = [item.id for item in client.models.list()]
    except openai.NotFoundError:
        return status.model_copy(update={"reachable": True, "detail": "the server answered but lists no models; "
                                                                      f"it may still serve '{settings.model}'"})
    except Exception as exc:  # the SDK's many failure types, each translated below
        return status.model_copy(update={"detail": _provider_error(exc, settings).one_line()})
    finally:
        client.close()
    listed = "" if not served or settings.model in served else (
        f"; it does not list '{settings.model}' (it serves {', '.join(served[:5])})")
    return status.model_copy(update={"reachable": True, "detail": f"the endpoint answered{listed}"})


def _provider_error(exc: Exception, settings: Settings) -> ProviderError:
    """Translate SDK exceptions into one message that names the setting to fix."""
    import openai

    where = settings.openai_base_url or "the OpenAI API"
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError(
            f"the model at {where} did not answer within {settings.request_timeout:g}s "
            f"({settings.max_retries} retries)",
            "check the server, or raise ASSISTANT_REQUEST_TIMEOUT",
        )
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError(
            f"cannot connect to {where}", "start the server or fix OPENAI_BASE_URL (or use --provider local)"
        )
    if isinstance(exc, openai.AuthenticationError):
        return ProviderError(f"{where} rejected the API key", "fix OPENAI_API_KEY")
    if isinstance(exc, openai.NotFoundError):
        return ProviderError(f"{where} does not serve model '{settings.model}'", "fix ASSISTANT_MODEL")
    if isinstance(exc, openai.APIStatusError):
        return ProviderError(
            f"{where} failed with HTTP {exc.status_code} after {settings.max_retries} retries",
            "check the server's log, or use --provider local",
        )
    return ProviderError(f"the model at {where} gave an unusable reply: {exc}", "check the server or the model name")


def _model_error(exc: Exception, settings: Settings) -> ProviderError:
    if settings.provider == "local":
        return ProviderError(f"the local model failed: {exc}", "check ASSISTANT_LOCAL_MODEL_PATH")
    return _provider_error(exc, settings)


def invoke_text(model: BaseChatModel, messages: list, settings: Settings) -> str:
    try:
        reply = model.invoke(messages)
    except ProviderError:
        raise
    except Exception as exc:
        raise _model_error(exc, settings) from exc
    content = reply.content
    if not isinstance(content, str):
        content = "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return content


def stream_text(model: BaseChatModel, messages: list, settings: Settings) -> Iterator[str]:
    try:
        for chunk in model.stream(messages):
            if isinstance(chunk.content, str) and chunk.content:
                yield chunk.content
    except ProviderError:
        raise
    except Exception as exc:
        raise _model_error(exc, settings) from exc
