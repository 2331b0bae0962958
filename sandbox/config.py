"""Sandbox settings from `SANDBOX_*` environment variables, validated once."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sandbox.models import Limits


def _default_concurrency() -> int:
    return 2 * (os.cpu_count() or 1)


class SandboxConfig(BaseSettings):
    """Knobs for backend choice, admission and the jail; every field is `SANDBOX_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="SANDBOX_", extra="ignore")

    backend: Literal["auto", "docker", "local"] = "auto"
    max_concurrency: int = Field(default_factory=_default_concurrency, ge=1, le=256)
    max_queue: int = Field(64, ge=0, le=10_000)

    # Default limits for a request that gives none.
    wall_s: float = Field(5.0, gt=0, le=120)
    memory_mb: int = Field(256, ge=32, le=16_384)
    pids: int = Field(64, ge=8, le=4096)
    output_kb: int = Field(1024, ge=1, le=65_536)
    file_mb: int = Field(16, ge=1, le=4096)

    # Request size caps (InvalidRequest beyond them).
    max_code_kb: int = Field(100, ge=1, le=120)
    max_input_kb: int = Field(16_384, ge=1)

    # Local jail.
    bwrap: str = "/usr/bin/bwrap"
    python: str = "/usr/bin/python3"
    node: str = "/usr/bin/node"
    java: str = "/usr/bin/java"  # symlinks resolved at start: the jail has no /etc/alternatives
    uid_base: int = Field(61000, ge=1000, le=2**31)
    cgroups: bool = True
    cgroup_name: str = Field("interview-sandbox", pattern=r"^[A-Za-z0-9_.-]+$")

    # Docker.
    docker_image_python: str = "python:3.11-slim"
    docker_image_javascript: str = "node:20-slim"
    docker_image_java: str = "eclipse-temurin:17-jdk"  # a JDK: the harness compiles in-process
    docker_user: str = "65534:65534"
    docker_cpus: float = Field(1.0, gt=0, le=64)
    docker_ping_timeout_s: float = Field(1.0, gt=0)

    def default_limits(self) -> Limits:
        return Limits(
            wall_s=self.wall_s,
            memory_mb=self.memory_mb,
            pids=self.pids,
            output_kb=self.output_kb,
            file_mb=self.file_mb,
        )
