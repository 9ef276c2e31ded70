"""The officer's one view of a case: what is due when, which gate waits, notices by honest state, what to do next."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from breachflow.approvals import Gate, Verdict, approval_of
from breachflow.japan import JST
from breachflow.notification.ledger import State
from breachflow.obligations.records import current_decision
from breachflow.prevention.model import ActionStatus
from breachflow.reminders import DeadlineStatus, deadline_rows
from breachflow.wiring import Wiring

OBLIGATIONS_JA = {
    "preliminary_report": "速報（個人情報保護委員会等への報告）", "final_report": "確報", "individual_notice": "本人への通知",
    "client_notice": "委託元への通知", "gdpr_sa_notification": "GDPR 監督機関への通知",
    "gdpr_individual_notice": "GDPR 本人への通知", "gdpr_controller_notice": "GDPR 管理者への通知",
}
STATUS_JA = {DeadlineStatus.done: "完了", DeadlineStatus.overdue: "期限超過", DeadlineStatus.due_soon: "期限間近",
             DeadlineStatus.pending: "未了"}
GATES_JA = {Gate.reports: "報告義務の判定・報告書下書きの承認", Gate.notification: "本人通知計画の承認"}
STATES_JA = {State.planned: "未送付", State.sending: "送信中", State.sent: "送付済み", State.outbox: "未送信（送信箱）",
             State.rendered: "印刷済み・未発送", State.handed_to_post: "郵送済み", State.failed_transient: "再送待ち",
             State.failed_permanent: "不達（他の手段へ）", State.in_doubt: "送信結果不明"}
CHANNELS_JA = {"email": "電子メール", "letter": "郵便", "phone": "電話", "substitute": "代替措置"}


class Deadline(BaseModel):
    """One obligation as the officer reads it (JST days)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    regime: str
    obligation: str
    name_ja: str
    due: str | None
    days_left: int | None
    status: str
    status_ja: str


class CaseStatus(BaseModel):
    """Where the case stands (no personal data): deadlines, gates, notices, requests, prevention, next action."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident_id: str
    today: date
    deadlines: list[Deadline]
    gates: dict[str, str]
    notices: dict[str, dict[str, int]]
    requests_open: int
    requests_overdue: int
    prevention_open: int
    prevention_overdue: int
    prevention_actions: list[dict[str, str]] = []
    next_action: str

    def next_deadline(self) -> Deadline | None:
        """The open obligation due first (the earliest due day not done)."""
        open_ = [d for d in self.deadlines if d.status != DeadlineStatus.done.value and d.due]
        return min(open_, key=lambda d: d.due) if open_ else None

    def markdown_ja(self) -> str:
        """The same view as Japanese markdown, for the officer's Prefect artifact."""
        lines = [f"# 事案 {self.incident_id} の状況（{self.today.isoformat()} 時点、日本時間）", "",
                 f"**次に行うこと:** {self.next_action}", "", "## 期限", "", "| 義務 | 期限 | 残り日数 | 状況 |", "|---|---|---|---|"]
        lines += [f"| {d.name_ja} | {d.due or '-'} | {d.days_left if d.days_left is not None else '-'} | {d.status_ja} |"
                  for d in self.deadlines] or ["| - | - | - | 判定前 |"]
        lines += ["", "## 承認", ""] + [f"- {name}: {state}" for name, state in self.gates.items()]
        lines += ["", "## 本人通知（件数）", "", "| 手段 | 状態 | 件数 |", "|---|---|---|"]
        lines += [f"| {channel} | {state} | {n} |" for channel, states in self.notices.items()
                  for state, n in states.items()] or ["| - | 計画前 | 0 |"]
        lines += ["", f"- 問合せ・請求: 未完了 {self.requests_open} 件（うち期限超過 {self.requests_overdue} 件）",
                  f"- 再発防止策: 未完了 {self.prevention_open} 件（うち期限超過 {self.prevention_overdue} 件）"]
        if self.prevention_actions:
            lines += ["", "## 再発防止策（未完了）", "", "| 番号 | 措置 | 担当 | 期限 | 状況 |", "|---|---|---|---|---|"]
            lines += [f"| {a['id']} | {a['title']} | {a['owner']} | {a['due']} | {a['state']} |"
                      for a in self.prevention_actions]
        return "\n".join(lines)


def case_status(w: Wiring, incident_id: str) -> CaseStatus:
    """The one view of a case, as of today in JST."""
    case = w.case(incident_id)
    today = w.today()
    decision = current_decision(case=case)
    rows = deadline_rows(case=case, decision=decision, today=today) if decision else []
    deadlines = [Deadline(
        regime=r.regime, obligation=r.obligation, name_ja=OBLIGATIONS_JA.get(r.obligation, r.obligation),
        due=r.due, days_left=(date.fromisoformat(r.due[:10]) - today).days if r.due else None,
        status=r.status.value, status_ja=STATUS_JA[r.status]) for r in rows]
    gates = {}
    for gate in Gate:
        record = approval_of(case=case, gate=gate)
        gates[GATES_JA[gate]] = ("承認待ち" if record is None else
                                 f"{'承認' if record.verdict is Verdict.approve else '却下'}（{record.at.astimezone(JST).date().isoformat()}）")
    notices: dict[str, dict[str, int]] = {}
    if w.settings.notification_ledger_url or case.has("notification/ledger.sqlite"):
        for channel, states in w.ledger(case).counts().items():
            notices[CHANNELS_JA.get(channel, channel)] = {STATES_JA.get(State(s), s): n for s, n in states.items()}
    requests_open = requests_overdue = 0
    if case.has("requests/requests.json"):
        from breachflow.requests import request_counts

        counts = request_counts(case=case, today=today)
        requests_open, requests_overdue = counts.open, counts.overdue
    prevention_open = prevention_overdue = 0
    if case.has("prevention/plan.json"):
        from breachflow.prevention import read_plan

        open_actions = [a for a in read_plan(case=case).actions if a.status is ActionStatus.open]
        prevention_open, prevention_overdue = len(open_actions), sum(1 for a in open_actions if a.due < today)
        actions = [{"id": a.id, "title": a.title_ja, "owner": a.owner, "due": a.due.isoformat(),
                    "state": "期限超過" if a.due < today else "未完了"} for a in open_actions]
    else:
        actions = []
    status = CaseStatus(incident_id=incident_id, today=today, deadlines=deadlines, gates=gates, notices=notices,
                        requests_open=requests_open, requests_overdue=requests_overdue,
                        prevention_open=prevention_open, prevention_overdue=prevention_overdue,
                        prevention_actions=actions, next_action="")
    return status.model_copy(update={"next_action": _next_action(status, incident_id, decided=decision is not None)})


def _next_action(status: CaseStatus, incident_id: str, *, decided: bool) -> str:
    """The first thing still to do, with the command that does it."""
    if not decided:
        return "報告義務を判定する: breachflow run <intake file>（又は breachflow assess <intake file> --record）"
    if status.gates[GATES_JA[Gate.reports]] == "承認待ち":
        return "報告義務の判定と報告書下書きを承認する（Prefect UI の承認フォーム）"
    for deadline in status.deadlines:
        if deadline.status != DeadlineStatus.done.value and deadline.obligation in ("preliminary_report", "final_report"):
            kind = "preliminary" if deadline.obligation == "preliminary_report" else "final"
            left = (f"{-deadline.days_left} 日超過" if deadline.days_left is not None and deadline.days_left < 0
                    else f"残り {deadline.days_left} 日")
            return (f"{deadline.name_ja}を提出する（期限 {deadline.due}、{left}）: breachflow report draft "
                    f"{incident_id} --kind {kind} --format pdf、提出後 breachflow report submitted {incident_id} --kind {kind}")
    email = status.notices.get(CHANNELS_JA["email"], {})
    if any(email.get(STATES_JA[s]) for s in (State.planned, State.failed_transient, State.outbox)):
        return f"未送信の電子メールを送る: breachflow notify send {incident_id}"
    if email.get(STATES_JA[State.in_doubt]) or email.get(STATES_JA[State.sending]):
        return f"送信結果不明の通知を判断する: breachflow notify status {incident_id}"
    if status.notices.get(CHANNELS_JA["letter"], {}).get(STATES_JA[State.rendered]):
        return f"印刷済みの書面を郵送し、記録する: breachflow notify printed {incident_id} --batch <file> | --all"
    if status.prevention_open:
        return f"再発防止策を完了させる（未完了 {status.prevention_open} 件）: breachflow prevention list {incident_id}"
    return "現時点で期限のある対応はありません"


def open_cases(w: Wiring) -> list[CaseStatus]:
    """Every case not purged, the one whose next deadline comes first at the top (no deadline last)."""
    views = [case_status(w, i) for i in w.store.ids() if not w.case(i).purged_at()]
    return sorted(views, key=lambda v: (v.next_deadline() is None, v.next_deadline().due if v.next_deadline() else "",
                                        v.incident_id))
