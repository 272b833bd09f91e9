"""The solver-neutral result: a weekly rota of sessions and the referrals left unscheduled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rota.models.timeutil import Day, format_time, parse_day, parse_time


def _minutes(value: Any) -> Any:
    return parse_time(value) if isinstance(value, str) else value


class Session(BaseModel):
    """One weekly session: a referral with its therapist(s), site, room, day and times."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    referral_id: str = Field(description="Referral the session is for")
    therapist_ids: tuple[str, ...] = Field(
        min_length=1, description="Therapist(s) running it (two for a co-facilitated group)"
    )
    site_id: str = Field(description="Site of the session")
    room_id: str = Field(description="Room of the session")
    day: Day = Field(description="Day of the week")
    start: int = Field(ge=0, le=24 * 60, description="Start, minutes after midnight")
    end: int = Field(ge=0, le=24 * 60, description="End, minutes after midnight")

    @field_validator("day", mode="before")
    @classmethod
    def _day(cls, value: Any) -> Any:
        return parse_day(value) if isinstance(value, str) else value

    @field_validator("start", "end", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        return _minutes(value)

    @field_validator("therapist_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Session:
        if self.end <= self.start:
            raise ValueError(
                f"session {self.referral_id} ends ({format_time(self.end)}) "
                f"before it starts ({format_time(self.start)})"
            )
        return self

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def label(self) -> str:
        who = "+".join(self.therapist_ids)
        return (
            f"{self.referral_id} ({who}, {self.day} {format_time(self.start)}-"
            f"{format_time(self.end)}, {self.room_id})"
        )


class Unscheduled(BaseModel):
    """A referral the rota leaves out, with the reason a coordinator can act on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    referral_id: str = Field(description="Referral left out")
    reason: str = Field(description="Why it could not be placed")


class Rota(BaseModel):
    """A weekly rota: the sessions and the unscheduled referrals with reasons."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sessions: tuple[Session, ...] = Field((), description="Scheduled weekly sessions")
    unscheduled: tuple[Unscheduled, ...] = Field((), description="Referrals left out")
    effective_from: dt.date | None = Field(
        None, description="A mid-term change: the date these sessions take effect (None = all term)"
    )
    before: tuple[Session, ...] = Field(
        (), description="The previous rota's sessions, which ran until effective_from"
    )

    def session_of(self, referral_id: str) -> Session | None:
        for s in self.sessions:
            if s.referral_id == referral_id:
                return s
        return None

    def sorted(self) -> Rota:
        """Sessions by first therapist, day and start; unscheduled by referral id."""
        from rota.models.timeutil import DAY_INDEX

        return Rota(
            sessions=tuple(
                sorted(self.sessions, key=lambda s: (s.therapist_ids, DAY_INDEX[s.day], s.start))
            ),
            unscheduled=tuple(sorted(self.unscheduled, key=lambda u: u.referral_id)),
            effective_from=self.effective_from,
            before=self.before,
        )
