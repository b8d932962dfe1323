"""The classifier's vocabulary: words and phrases that are evidence, and a fast matcher for them.

Each :class:`Cue` says what a phrase is taken to mean and how hard it pushes on the two questions
(forced or discretionary? short- or long-term?) and which principles it points at. The matcher
tokenises once, prefers the longest phrase, tolerates one-letter typos in longer words and caches
per-token lookups, so classifying an item costs a few dictionary probes per word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from core.classify_dates import may_be_date
from core.model import Principle


class Kind(Enum):
    """How a cue interacts with the others (see ``core.classify``)."""

    PLAIN = 0
    NOW = 1
    """Something is broken, exposed or happening right now."""
    DEADLINE = 2
    """An outside party set a date: EOL, deprecation, contract, audit, forecast."""
    FOLLOWUP = 3
    """An action item after an incident: the incident words describe the past."""
    PREVENT = 4
    """The work removes a future class of forced work ("so expiries stop being incidents")."""
    RECURRING = 5
    """The problem keeps coming back ("we keep getting paged")."""
    BUILD = 6
    """Building something lasting: a platform, automation, a new architecture."""
    NEUTRAL = 7
    """Consumes words that would otherwise mislead ("scale down", "deprecation warning")."""
    MONITOR = 9
    """Watching for a condition ("alert on cert expiry"): what follows is not happening now."""
    PAST = 8
    """Something that happened before ("twice last week"): with an action, a follow-up."""
    TOPIC = 10
    """A document named as the work's object ("docs for IP exhaustion"): what follows is its
    topic."""


@dataclass(frozen=True, slots=True)
class Cue:
    """A piece of evidence the classifier knows.

    ``forced`` > 0 pushes towards forced, < 0 towards discretionary. ``hz_forced`` and ``hz_disc``
    push towards long-term (> 0) or short-term (< 0), used when the item turns out forced or
    discretionary respectively (the same word means different horizons for the two).
    """

    meaning: str
    forced: float = 0.0
    hz_forced: float = 0.0
    hz_disc: float = 0.0
    kind: Kind = Kind.PLAIN
    principles: tuple[tuple[Principle, float], ...] = ()
    label: str | None = None
    """Evidence shown instead of the matched words (e.g. "CVE" for "CVE-2026-1234")."""
    slots: tuple[tuple[int, float], ...] = ()
    """``principles`` by position in :class:`Principle` (cheaper to add up than enum keys)."""
    reframing: bool = False
    """Whether this cue changes how other cues count (follow-up, prevention, recurrence)."""
    flags: int = 0
    """:class:`Flag` bits a text gets from this cue (reframing, forecast, building something)."""
    scored: bool = False
    """Whether it weighs on either question at all (principle-only cues do not)."""

    def __post_init__(self) -> None:
        order = {p: i for i, p in enumerate(Principle)}
        object.__setattr__(self, "slots", tuple((order[p], w) for p, w in self.principles))
        object.__setattr__(self, "scored", bool(self.forced or self.hz_forced or self.hz_disc))
        reframing = self.kind in (
            *(Kind.FOLLOWUP, Kind.PREVENT, Kind.RECURRING, Kind.PAST, Kind.MONITOR, Kind.TOPIC),
        )
        object.__setattr__(self, "reframing", reframing)
        flags = self.flags | (_REFRAMING_FLAG if reframing else 0)
        object.__setattr__(self, "flags", flags | (_BUILD_FLAG if self.kind is Kind.BUILD else 0))


_REFRAMING_FLAG, _FORECAST_FLAG, _BUILD_FLAG, _EXPOSURE_FLAG = 32, 256, 512, 1024
"""Flag.REFRAMING, .FORECAST, .BUILD and .EXPOSURE, which cues set (defined before Flag)."""
_STATUS_FLAG = 2048
"""Flag.STATUS, as a plain name for the check every item makes in :func:`read`."""


class Hit(NamedTuple):
    """A cue found in a text: at which word, over how many words, and (for patterns) as what."""

    cue: Cue
    pos: int
    words: int
    seen: str
    """The matched text for pattern cues (ids, percentages); empty for words, see ``evidence``."""

    def evidence(self, lowered: str, text: str, tokens: Sequence[str]) -> str:
        """The words as written in ``text`` (a label such as "CVE" where the cue has one).

        ``lowered`` is ``text.lower()``, or ``text`` itself when that has no capitals; the words
        are looked up in it only for the few cues shown, which is cheaper than tracking every
        word's offset.
        """
        cue, pos, words, seen = self
        label = cue.label
        if label:
            return label
        if seen:
            return seen
        phrase = tokens[pos] if words == 1 else " ".join(tokens[pos : pos + words])
        if lowered is text:
            return phrase  # the text as written is lower-case already
        at = lowered.find(phrase)
        if at < 0 or len(text) != len(lowered):
            return phrase
        return text[at : at + len(phrase)]


_P = Principle
SEC, REL, USE, EFF, LAT = _P.SECURITY, _P.RELIABILITY, _P.USABILITY, _P.EFFICIENCY, _P.LATENCY


def _pr(spec: str) -> tuple[tuple[Principle, float], ...]:
    """ "security reliability:0.5" → ((security, 1.0), (reliability, 0.5))."""
    out: list[tuple[Principle, float]] = []
    for part in spec.split():
        name, _, w = part.partition(":")
        out.append((Principle(name), float(w) if w else 1.0))
    return tuple(out)


# (phrases, cue). Phrases are "|"-separated; words are matched after lower-casing and splitting on
# anything that is not a letter, digit or apostrophe; a trailing "*" matches any word starting so.
_LEXICON: list[tuple[str, Cue]] = []


def _add(
    phrases: str,
    meaning: str,
    f: float = 0.0,
    hf: float = 0.0,
    hd: float = 0.0,
    kind: Kind = Kind.PLAIN,
    p: str = "",
    label: str | None = None,
    flags: int = 0,
) -> None:
    if kind is Kind.BUILD and f < 0:
        # Scope words say how big the work is, not who compels it (rubric tie-breaker 2): they
        # lean only lightly towards chosen work.
        f *= 0.6
    cue = Cue(meaning, f, hf, hd, kind, _pr(p), label, flags=flags)
    _LEXICON.append((phrases, cue))


NOW, DEADLINE, FOLLOWUP, PREVENT = Kind.NOW, Kind.DEADLINE, Kind.FOLLOWUP, Kind.PREVENT
RECURRING, BUILD, NEUTRAL, PAST = Kind.RECURRING, Kind.BUILD, Kind.NEUTRAL, Kind.PAST
MONITOR = Kind.MONITOR

# --- incident / outage ----------------------------------------------------------------------------
# Why: something is broken, degraded or on fire now (incidents, outages, pages): forced, short.
_add(
    "outage|outages|outage*|downtime|is down|are down|was down|went down|goes down|been down"
    "|is hard down|hard down|fully down|down again|down for",
    "an outage",
    3.0,
    -2.5,
    kind=NOW,
    p="reliability",
)
_add("down", "something is down", 2.2, -2.0, kind=NOW, p="reliability")
# Why: downtime someone planned (a maintenance window) is scheduled work, not an outage.
_add(
    "planned downtime|scheduled downtime|planned maintenance|scheduled maintenance"
    "|maintenance window|maintenance windows|downtime window|planned outage|planned outages"
    "|scheduled outage|scheduled outages|outage is necessary|downtime is necessary"
    "|necessary outage|necessary downtime",
    "planned maintenance",
    -1.5,
    0.0,
    -1.0,
    p="reliability",
)
_add(
    "scale down|scaled down|scaling down|slow down|slows down|drill down|drill-down|break down"
    "|tear down|teardown|wind down|spin down|narrow down|write down|down to|downsiz*|downgrade*"
    "|download*|downstream|shut down old|markdown|dropdown|drop-down|cool down|cooldown"
    "|escalation policy|escalation policies|escalation path|pager escalation|escalation chain"
    "|scale-down|slow-down|drill-down|break-down|tear-down|cool-down|wind-down|spin-down",
    "not an outage",
    kind=NEUTRAL,
)
_add(
    "incident|incidents|sev0|sev1|sev2|sev3|sev 0|sev 1|sev 2|sev 3"
    "|major incident|declared an incident|declaring an incident|incident declared",
    "an incident",
    2.6,
    -2.2,
    kind=NOW,
    p="reliability",
)
_add(
    "paging|paged|getting pages|got paged|page fired|woke up|wakes up|woken up|pager",
    "someone is being paged",
    2.4,
    -2.0,
    kind=NOW,
    p="reliability",
)
_add(
    "degraded|degradation|degrading|brownout|partial outage|unavailable|unreachable|unresponsive"
    "|offline|not responding|not reachable|inaccessible",
    "service degraded or unreachable",
    2.8,
    -2.2,
    kind=NOW,
    p="reliability",
)
_add(
    "broken|broke|breaks|is broken|are broken|borked|busted|hosed|kaput|on fire|melting|melted"
    "|meltdown|fell over|falls over|falling over|keeled over|blew up|blown up|exploded",
    "something is broken",
    2.2,
    -2.0,
    kind=NOW,
    p="reliability",
)
_add(
    "failing|fails|failed|failure|failures|erroring|errored|errors|error rate|error rates"
    "|throwing|throws|exceptions",
    "things are failing",
    1.8,
    -1.6,
    kind=NOW,
    p="reliability",
)
_add(
    "error message|error messages|error msg|better error|error output|error text|failure message"
    "|failed-backup|failure alert|failure alerts|failed backup alerts|stack trace|traceback"
    "|error page|error pages|error screen|failure screen|failure page",
    "a clearer message",
    -2.2,
    -1.0,
    -1.5,
    p="usability",
)
_add(
    "failing over|failed over|failover to|fail over|failing back",
    "a failover in progress",
    2.6,
    -2.2,
    kind=NOW,
    p="reliability",
)
_add(
    "crash*|segfault*|panic|panics|panicking|kernel panic|oom|oomkill*|oom-kill*|oom killed"
    "|oom-killed|oomed|out of memory|memory leak|leaking memory|restart loop|bootloop"
    "|keeps restarting|restarting|restarts|restarted",
    "processes crashing",
    2.4,
    -2.0,
    kind=NOW,
    p="reliability",
)
_add(
    "notready|not ready|evicted|evicting|eviction|evictions|pending pods|unschedulable"
    "|imagepullbackoff|errimagepull|pending-upgrade|pending upgrade",
    "workloads not running",
    2.4,
    -2.0,
    kind=NOW,
    p="reliability",
)
_add(
    "lost quorum|quorum lost|no quorum|split-brain|split brain|split-brained|splitbrain"
    "|partitioned|network partition|flapping|flaps|packet loss|dropping packets|dropped packets"
    "|bgp|route leak",
    "a network or cluster failure",
    2.6,
    -2.2,
    kind=NOW,
    p="reliability",
)
_add(
    "stuck|hung|hanging|hangs|frozen|wedged|deadlock*|blocking|blocked|blocks|jammed",
    "something is stuck",
    1.7,
    -1.6,
    kind=NOW,
    p="reliability",
)
_add(
    "nobody can|no one can|noone can|can't|cant|cannot|can not|unable to|not working|doesn't work"
    "|does not work|isn't working|aren't working|won't start|wont start|not loading|won't load"
    "|not getting|haven't gone out|hasn't gone out|not receiving|not sending|stopped working"
    "|stopped|stops working|missing|disappeared|locked out|not going out|been running",
    "people blocked right now",
    1.8,
    -1.6,
    kind=NOW,
    p="reliability",
)
_add(
    "stale|replica lag|replication lag|lagging|lag is|consumer lag|under-replicated"
    "|underreplicated|under replicated|out of sync|data loss|lost data|corrupt*|wiped|deleted prod"
    "|dropped the table|dropped the prod|dropped the database|dropped the db|truncated|0 bytes"
    "|zero bytes|empty backup|empty backups|inconsistent",
    "data at risk right now",
    2.4,
    -2.0,
    kind=NOW,
    p="reliability",
)
_add(
    "timing out|timed out|seeing timeouts|getting timeouts|lots of timeouts|timeouts on"
    "|timeouts from|timeouts to|timeouts for|timeouts against|timeouts talking|time outs"
    # Not a bare "spike": in trackers "SPIKE:" is as often a research task.
    "|latency spike|latency spikes|spiking|spike in|spikes in|spiked|spike of|spike on|cpu spike"
    "|cpu spikes|load spike|load spikes|traffic spike|traffic spikes|memory spike|error spike"
    "|climbing|skyrocketing|through the roof|slow as|crawling|10x slower|high latency",
    "latency degraded now",
    1.8,
    -1.6,
    kind=NOW,
    p="latency reliability:0.5",
)
_add(
    "roll back|rolling back|rolled back|revert the|reverting|reverted|hotfix|hot-fix"
    "|hot fix|emergency|mitigat*|firefight*|war room|all hands|bridge call|need eyes|eyes on"
    "|pls help|please help|help pls|sos|halp|mayday",
    "an emergency response",
    2.2,
    -2.0,
    kind=NOW,
    p="reliability",
)
_add(
    "escalation|escalated|escalating|exec escalation|biggest customer|biggest account"
    "|largest customer|key customer|top customer|customers getting|users getting|customers can't"
    "|users can't|customers are seeing|users are seeing|customer-facing|customers report*"
    "|users report*|customer complaints|complaining|threatens to churn|threatening to churn"
    "|churn risk|about to churn|threatening to leave|threatens to leave",
    "customers affected",
    2.2,
    -1.8,
    kind=NOW,
    p="reliability",
)
_add(
    "firing|fired|alerting|alarm|alarms|triggered",
    "an alert is firing",
    1.8,
    -1.6,
    kind=NOW,
    p="reliability",
)
_add(
    "suspended|revoked|disabled our|banned",
    "an account cut off",
    1.8,
    -1.6,
    kind=NOW,
    p="reliability",
)
_add("again", "it happened again", 0.6, -0.6, kind=NOW)
_add("prod|production", "production", 0.3, -0.2)
_add(
    "memory leak|leaking memory|leak memory|leaks memory|leaked memory",
    "processes leaking memory",
    2.0,
    -1.8,
    kind=NOW,
    p="reliability",
)
_add(
    "not healthy|unhealthy|not scheduling|not starting|not running|no leader|leaderless"
    "|lost leader|not ready|won't come up|wont come up|didn't come back"
    "|didnt come back|not coming back|not renewing|not auto renewing|not auto-renewing"
    "|not renewed|not being renewed|stopped renewing|fails to renew|failed to renew"
    "|failing to renew|refusing connections|connection refused|connection reset"
    "|connections refused|cannot connect|can't connect|cant connect|servfail|nxdomain"
    "|handshake failures|handshake failure|x509|tls errors|ssl errors|cascading|cascading failure"
    "|thundering herd|backed up|backing up|piling up|backlog growing|queue growing|hours behind"
    "|queue backlog|a backlog of|backlog of jobs|backlog of messages|job backlog|message backlog"
    "|the backlog in|backlog has|backlogged"
    "|falling behind|dropping messages|dropping requests|dropping connections|dropping traffic"
    "|dropped messages|dropped requests|dropping logs|dropped events|dropping events"
    "|dropping out of|dropped out of|drops out of|dropping out|dropped out"
    "|increased latency|increased latencies|increased error|increased errors|increased error rate"
    "|increased error rates|degraded performance|degraded service|service disruption"
    "|service degradation|major outage|delays in|delayed processing|are delayed|is delayed"
    "|losing messages|losing data|losing events|elevated|elevated errors|elevated error"
    "|investigating|impacting|impacted|impact on|customer impact|user impact|affecting"
    "|intermittent|intermittently|sporadic|flapping|slo breach|breaching|burning error budget"
    "|burn rate|runaway|spinning up|went from|jumped to|jumped from|doubled|tripled"
    "|rollback|roll back|rolling back|rolled back|bill spiked|cost spike|spend spike"
    "|unexpected charges|surprise bill|hacked|pwned|suspicious login|unauthorized access"
    "|hardcoded secret|hardcoded password|hard-coded password|plaintext password"
    "|secret in the logs|token in the logs|credentials in the logs"
    # A job or service that should have run and did not ("cron job didn't run overnight", "the
    # mirror hasn't synced since June"): "not running" in its negated and past forms.
    "|isn't running|wasn't running|aren't running|didn't run|did not run|hasn't run|has not run"
    "|haven't run|didn't sync|did not sync|hasn't synced|has not synced|haven't synced"
    "|isn't syncing|not syncing|hasn't worked|has not worked|hasn't been working"
    "|didn't start|did not start|isn't starting|doesn't respond|does not respond|didn't renew"
    "|did not renew|hasn't renewed|has not renewed|didn't scale|did not scale"
    "|latency increased|increase in latency|higher latency|response times increased"
    "|increased response times|increased response time",
    "failing in production now",
    2.2,
    -1.8,
    kind=NOW,
    p="reliability",
)
_add(
    "losing|lost|got deleted|was deleted|were deleted|accidentally deleted|got wiped|was wiped"
    "|everyone getting"
    "|everybody getting|everyone is getting|all users|customer says|client says|customer said"
    "|customers say",
    "hitting people right now",
    2.2,
    -1.8,
    kind=NOW,
    p="reliability",
)
_add(
    "alertname|crash looping|crashlooping|target down|targetdown|not ready|notready|job failed"
    "|crash loop back off|crash loop backoff|crashloopbackoff"
    "|compactions failing|high error rate|errors high|error budget burn|absent|firing",
    "an alert firing",
    2.4,
    -2.0,
    kind=NOW,
    p="reliability",
)

# --- security exposure ----------------------------------------------------------------------------
# Why: a vulnerability, leaked secret or active attack: forced, short-term unless a date says not.
_add("cve|cves|cve's", "security exposure", 3.0, -1.6, kind=NOW, p="security:2", label="CVE")
_EXPOSURE_FROM = len(_LEXICON) - 1
_add(
    "security advisory|advisory|ghsa|cvss",
    "a security advisory",
    2.8,
    -1.4,
    kind=NOW,
    p="security:2",
)
_add(
    "vulnerability|vulnerabilities|vuln|vulns|vulnerable|vulnerabilit*|security hole|security bug"
    "|security issue|security fix|security patch|security patches|security update",
    "a known vulnerability",
    2.6,
    -1.4,
    kind=NOW,
    p="security:2",
)
_add(
    "exploit|exploited|exploitable|exploiting|actively exploited|in the wild|rce"
    "|remote code execution|auth bypass|authentication bypass|privilege escalation|privesc"
    "|zero-day|zero day|0-day|0day|log4shell|heartbleed|mitm|man-in-the-middle|man in the middle",
    "an exploitable hole",
    3.2,
    -2.6,
    kind=NOW,
    p="security:2",
)
# Named vulnerabilities (CVE, advisory, vuln, exploit) carry EXPOSURE: patching one "to prevent
# RCE" is still forced, unlike a purpose clause about exposures in general ("so a leaked key
# doesn't matter").
for _, _cue in _LEXICON[_EXPOSURE_FROM:]:
    object.__setattr__(_cue, "flags", _cue.flags | _EXPOSURE_FLAG)
_add(
    "leaked|leak|leaking|exposed|exposure|pasted|committed a secret|pushed a secret"
    "|committed source|committed to git|committed to the repo|checked into git|checked in to git"
    "|public repo|public repository|public github repo|published in a public"
    "|pushed a private key|public read|publicly readable|world-readable|world readable"
    "|public bucket|publicly accessible|public access|compromised|compromise|breach|breached"
    "|intrusion|intruder|malware|ransomware|phishing|phished|exfiltrat*|unauthorized|suspicious"
    "|attacker|attackers|attack|under attack|ddos|ddos'd|dos attack|credential stuffing"
    "|brute force|bruteforce|scraping us",
    "an active security exposure",
    3.2,
    -2.6,
    kind=NOW,
    p="security:2",
)
_add(
    "revoke|revoking|rotate|rotating|scrub",
    "credentials to rotate",
    0.8,
    -0.6,
    p="security:1.5",
)
_add("patch|patching|patches|patched|hotpatch", "a security patch", 1.2, -0.8, p="security")

# --- certificates ---------------------------------------------------------------------------------
# Why: expiring now is forced-short, a planned rotation forced-long, tooling chosen (tie-breaker 5).
_add(
    "expired|has expired|have expired|already expired|expires|expiring|expiry|expiration|expire"
    "|about to expire|expir*",
    "something is expiring",
    2.6,
    -1.2,
    kind=NOW,
    p="security reliability:0.5",
)
_add(
    "distrust|distrusting|distrusted|rolls over|roll over|rollover|rolls|cert rotation"
    "|key rotation|ca rotation|root rotation|new root|root ca",
    "a scheduled certificate change",
    2.4,
    1.4,
    kind=DEADLINE,
    p="security",
)
_add(
    "renew certificates|renew certificate|renew certs|renew cert|renewing certificates"
    "|renewing certs|certificate renewal|certificate renewals|cert renewal|cert renewals"
    "|ssl renewal|tls renewal|renewal process|auto-renew|auto renew|auto-renewal|auto renewal"
    "|expiry report|expiry dates|expiry date|expiration date|expiration dates|expiry alert"
    "|expiry alerts|expiry monitoring|expiry dashboard|expiry panel|expiry check|expiry checks",
    "certificate hygiene",
    -0.6,
    0.0,
    -0.6,
    p="security",
)

# --- capacity -------------------------------------------------------------------------------------
# Why: full now is forced-short, forecast exhaustion forced-long (tie-breaker 6).
_add(
    "disk full|disk is full|is full|are full|filled up|fills up|full disk|disks full|out of disk"
    "|no space|no space left|out of space|disk pressure|diskpressure|ran out|running out of space"
    "|read-only|readonly|read only|flood stage|flood-stage|watermark|inode*|quota exceeded"
    "|hit the quota|hit quota|quota hit|over quota|hit the limit|hitting the limit|at capacity"
    "|exhausted|maxed|maxed out|pegged|saturated|throttled|throttling|rate limiting|rate limited"
    "|rate-limited|rate-limiting|ratelimited|429|429s|rate limit reached|rate limit exceeded"
    "|rate limits exceeded|rate limit hit|hit the rate limit|hitting the rate limit|hit rate limits"
    "|out of disk space|running out of disk space|ran out of disk space|run out of disk space"
    "|low disk space|low on disk space|low on disk|disk space issues|disk space issue"
    "|disk space warning|disk space alert|space exceeded|hit the memory limit|hits the memory limit"
    "|hitting the memory limit|hitting memory limits|hit memory limits|memory limit exceeded"
    "|hitting rate limits|hit rate limit|hitting rate limit|rate-limit exceeded",
    "resources exhausted now",
    2.4,
    -2.0,
    kind=NOW,
    p="reliability",
)
_add("full", "something is full", 1.2, -1.0, kind=NOW, p="reliability")
_add(
    "forecast|forecasts|forecasted|forecasting|projected|projection|projections|runway"
    "|will run out|run out|runs out|going to run out|will be full|full by|fills by|outgrow"
    "|outgrowing|growth|growing|grows|traffic growth|expected traffic|expected growth|peak"
    "|black friday|cyber monday|holiday peak|peak season|holiday season|seasonal|headroom"
    "|capacity plan|capacity planning|capacity for",
    "forecast demand outgrowing capacity",
    2.6,
    2.0,
    kind=DEADLINE,
    p="reliability",
    flags=_FORECAST_FLAG,
)
FORECAST = _LEXICON[-1][1]
"""Forecast words in a text that builds something ("capacity planning automation", "headroom
estimation") describe what the tool handles, not a forecast that compels the work (rubric
tie-breaker 6)."""
_add("capacity", "capacity", 0.8, 0.4, p="reliability")
_add(
    # Not a bare "limit": mostly a knob someone sets ("a 50MB limit", "raise the limits").
    "hits the|hit the|hitting the|ceiling|max out|max size|size limit",
    "a hard limit ahead",
    1.2,
    0.5,
    kind=DEADLINE,
    p="reliability",
)
_add(
    "overflow|overflows|wraparound|wrap around|exhaustion|id exhaustion|int32|int4|doubling"
    "|doubles every|doubles|won't hold|will not hold|won't survive|won't scale"
    "|won't fit|won't last|will not scale|will not fit|not going to fit|not going to scale"
    "|retire in|retire on|retire by|retires in|retire at|retire after|vendor support"
    "|out of vendor support|vendor support ends|end of vendor support|out of support",
    "a limit or end date ahead",
    2.2,
    1.6,
    kind=DEADLINE,
)

# --- cost -----------------------------------------------------------------------------------------
# Why: a contract, renewal or budget date makes cost work forced-long (tie-breaker 7).
_add(
    "paywall|price increase|pricing change|plan change|charges start|new pricing|price hike"
    "|quote went up|quote|will start charging|start charging|starts charging|billing change"
    "|procurement|finance says|budget cut|budget cuts|budget deadline|credits expire"
    "|credits run out|start costing|starts costing|raising prices",
    "a cost deadline set by others",
    2.6,
    2.0,
    kind=DEADLINE,
    p="efficiency:1.5",
)

# --- external deadlines ---------------------------------------------------------------------------
# Why: an outside party set the terms (EOL, deprecation, contract, exit, compliance, launch,
# customer): forced, usually long-term.
_add(
    "breaking change|breaking changes|upcoming change|upcoming changes",
    "an upstream breaking change",
    1.4,
    1.0,
    kind=DEADLINE,
    p="reliability",
)
_add(
    "launch|go-live|go live|golive|cutover|cut-over|launch day|launching",
    "a launch depends on it",
    1.6,
    -0.6,
    p="reliability",
)
_add("launches|before launches", "launches in general", 0.0)
_add(
    "pen test finding|pentest finding|pen-test finding|audit finding|finding|findings",
    "an audit finding",
    1.6,
    0.4,
    kind=DEADLINE,
    p="security",
)
_add(
    "eol|eol'd|eols|eol's|end-of-life|end of life|end of support|end-of-support|eos"
    "|lts ending|lts ends|lts end|lts is ending|support ends|support ending|support is ending"
    "|standard support|extended support|out of support|unsupported|no longer supported"
    "|no longer maintained|unmaintained|stops receiving|stop receiving|security fixes end"
    "|end of maintenance|end of standard support|eol date|goes eol|going eol|reaches eol"
    "|stops getting security|stop getting security|no more security updates"
    "|no more security fixes|no longer gets security",
    "end-of-life deadline",
    3.0,
    2.2,
    kind=DEADLINE,
    p="security:1.5",
)
_add(
    "will go away|is going away|are going away|will disappear|deprecated|deprecation|deprecating"
    "|deprecates|deprecate|deprecat*|sunset|sunsets"
    "|sunsetting|sunsetted|sunset*|being retired|retiring|retires|retirement|will be retired"
    "|decommissioning|decommissions|is decommissioning|phase out|phasing out|phased out"
    "|removed in|will be removed|being removed|removal|removes|removing support"
    "|drops support|dropping support|drop support|dropped support"
    "|no longer|going away|shutting down|shuts down|will shut down|turns off|turning off"
    "|will turn off|switching off|switches off|pulling the plug|end of sale|discontinu*"
    "|is no more|are no more|will be shutdown|be shut down|being shut down|will shutdown"
    "|is shutting down|shutdown soon|shutdown date"
    # The same announcements with other verbs ("the organization is going to be removed soon",
    # "these machines will be decommissioned", "TLS 1.0 will be disabled by default").
    "|will be deleted|will be decommissioned|will be disabled|going to be removed"
    "|going to be deleted|going to be disabled|going to be decommissioned|going to be retired"
    "|going to be shut down|going to be discontinued",
    "a provider deprecation",
    2.4,
    1.6,
    kind=DEADLINE,
    p="reliability",
)
_add(
    "deprecation message|deprecation messages|deprecation warning to|deprecation notices"
    "|deprecation notice|deprecation warning|deprecation warnings|deprecation notice in"
    "|deprecated flag"
    "|warn on deprecated|mark deprecated|mark as deprecated",
    "a warning we choose to add",
    -1.5,
    0.0,
    -1.5,
    p="usability",
)
_add(
    "force-upgrade|force upgrade|forced upgrade|force upgrades|auto-upgrade us|will upgrade us"
    "|upgrade us|force-migrate|forced migration|forces us|forcing us|mandatory upgrade",
    "a provider forcing an upgrade",
    3.0,
    1.8,
    kind=DEADLINE,
    p="reliability",
)
_add(
    "contract|contracts|contractual|contractually|renewal|renewals|renews|renew|lease|leases"
    "|license|licence|licensing|licenses|true-up|true up|committed spend"
    "|enterprise agreement"  # not a bare "commit": in trackers it is a git commit
    "|vendor exit|exit the vendor|acquisition|acquired",
    "a contract or vendor deadline",
    2.4,
    2.0,
    kind=DEADLINE,
    p="efficiency:0.6",
)
_add(
    "colo|colos|colocation|datacenter|datacentre|data center|data centre|dc exit|datacenter exit"
    "|hosting provider|on-prem exit",
    "a datacenter or hosting exit",
    1.6,
    2.0,
    kind=DEADLINE,
)
_add(
    "warranty|out of warranty|hardware refresh|hardware eol|end of warranty|aging hardware"
    "|hardware replacement|refresh cycle",
    "hardware reaching end of life",
    2.6,
    2.2,
    kind=DEADLINE,
    p="reliability",
)
_add(
    "dpa|data processing agreement|baa|data sovereignty|sovereignty|stays in eu|eu only|in-region"
    "|soc2|soc 2|soc ii|soc type|pci|pci-dss|pci dss|hipaa|gdpr|fedramp|iso 27001|iso27001"
    "|iso 27k|sox|ccpa|nis2|nis 2|dora|data residency|residency|compliance|compliant"
    "|non-compliant|noncompliant|auditor|auditors|attestation|recert|recertification|regulator"
    "|regulators|regulatory|regulation|regulations|legal|legal hold|fips|cmmc|stig|hitrust|csa star"
    "|type ii|type 2|certification audit|external audit|accreditation|mandated|mandate|by law"
    "|retention rule|retention requirement|record retention|17a-4|finra|ai act"
    "|cyber resilience act",
    "a compliance obligation",
    3.0,
    2.4,
    kind=DEADLINE,
    p="security:1.5",
)
_add("audit|audits|audited", "an audit", 1.2, 1.0, kind=DEADLINE, p="security")
_add("audit log|audit logs|audit logging|audit trail", "audit logging", 0.0, 0.0, p="security")
_add(
    "deadline|hard deadline|cutoff|cut-off|due date|drop-dead|no later than|must be done by",
    "a hard deadline",
    2.0,
    0.0,
    kind=DEADLINE,
)
_add(
    "before the upgrade|before we upgrade|before we can upgrade|blocks the upgrade|blocking the"
    " upgrade|blocker for the upgrade|prerequisite|prereq|required for the upgrade"
    "|before upgrading|before the migration",
    "blocks a mandatory upgrade",
    1.6,
    1.6,
    kind=DEADLINE,
)
_add(
    "must|have to|has to|need to be off|needs to be off|need to be out|need to be on|required"
    "|requires|requirement|requirements|mandatory|obligat*|non-negotiable|no choice",
    "not optional",
    1.2,
    0.3,
)
_add("need to|needs to|we need|gotta", "needed", 0.3, 0.0)
# A removal or end of life that has already broken things ("the image no longer builds", "the
# repository no longer works", "which is why the builds stopped", "this is breaking CI"): forced
# now, short-term (rubric tie-breaker: an EOL already breaking things is F·short), whatever the
# EOL's own date says. Said of the future ("will no longer work") it stays a deadline (below).
_add(
    "no longer works|no longer working|no longer builds|no longer build|no longer building"
    "|no longer runs|no longer run|no longer running|no longer starts|no longer installs"
    "|no longer compiles|no longer resolves|no longer loads|no longer boots|builds stopped"
    "|stopped building|is breaking|are breaking|started failing|now fails|now failing",
    "a removal already breaking things",
    2.2,
    -4.0,
    kind=NOW,
    p="reliability",
)
_add(
    "are removed|is removed|was removed|were removed|been removed|gets removed|take effect"
    "|takes effect|comes into effect|goes into effect|into force|before the change"
    "|changes take effect|removed apis|removed api|stop using|deprecated apis|deprecated api"
    "|not supported"
    "|isn't supported|not supported anymore|support anymore|will no longer work"
    "|will no longer build|will no longer run|will no longer start|likely no longer work"
    "|would no longer work|may no longer work|might no longer work"
    "|stop working|will stop working|stops working on|removes|will remove|is removing"
    "|are removing|removed in|will be removed|being removed"
    "|stop supporting|stops supporting|will stop supporting|no longer support|ends support"
    "|dropping support|drops support|becomes mandatory|mandatory by"
    "|required by|enforced from|enforcement|will enforce|starts enforcing|enforcing"
    "|can't keep|cannot keep|can't continue|won't be able|will not be able|no longer able"
    "|before we can|before we bump|before bumping|force-upgrades|force-upgraded|auto-upgrades"
    "|customer requirement|contract requires|customer requires|security questionnaire"
    # Not "/mo": it is as often a price ("~$100/mo") as a growth rate ("50 GB/mo").
    "|at current growth|current growth|growth rate|per month|month over month|yoy"
    "|running out of|run out of|ip exhaustion|subnet exhaustion|out of ips|customer commitment"
    "|requiring us|requires us|require us|closing down"
    "|promised the customer|committed to the customer|release date|general availability"
    "|before they disappear|before it disappears|before they're gone|before it's gone"
    "|before they go away|before it goes away",
    "an outside party sets the terms",
    2.2,
    1.6,
    kind=DEADLINE,
)
_add(
    "expects|expecting|anticipate|anticipated|expected load|expected signups|expected traffic"
    "|traffic spike expected|load test|load-test|load testing|stop getting updates"
    "|stops getting updates|no more updates|no more patches|won't patch|will not patch"
    "|stops getting patches|stop getting patches|security updates end|ending support|is ending"
    "|are ending|will end|ends in|ends on|ending in|ends|ending|is up|runs out|expires in",
    "a date set by others",
    1.8,
    1.4,
    kind=DEADLINE,
)
_add(
    "enterprise customer|customer onboarding|big customer|large customer|customer needs"
    "|customer wants|customer asked|customer is asking|sales needs|sales wants|the deal"
    "|contract signature|signed contract|for their",
    "a customer depends on it",
    1.6,
    0.5,
    kind=DEADLINE,
    p="reliability:0.5",
)

# --- horizon --------------------------------------------------------------------------------------
# Why: words that say when, not what: happening now vs. happened before.
_add(
    "right now|rn|asap now|now|immediately|currently|atm|at the moment|ongoing|in progress",
    "happening now",
    0.8,
    -1.4,
    kind=NOW,
)
_add(
    "last week|last night|last month|the other day|earlier this week|a few times|twice"
    "|three times|several times|last sprint",
    "something that happened before",
    -0.5,
    0.0,
    -0.4,
    kind=PAST,
)

# --- follow-up and prevention ---------------------------------------------------------------------
# Why: after an incident, or removing a class of forced work: chosen, not compelled (tie-breaker 4).
_add(
    "postmortem|post-mortem|post mortem|postmortems|post-incident|post incident|action item"
    "|action items|follow-up|followup|follow up|follow-ups|followups|lessons learned|retro"
    "|incident review|incident retro|outage review"
    "|retrospective|rca|root cause|pir|after-action|last week's incident|yesterday's incident"
    "|last night's incident|last incident|previous incident|past incidents|recent incident"
    "|the incident last week|last week's outage|yesterday's outage|last outage|previous outage"
    "|past outages|recent outage|after the outage|after the incident|from the incident"
    "|from the outage|last week's page|last week's sev|since the incident",
    "an incident follow-up",
    -2.6,
    0.0,
    0.0,
    kind=FOLLOWUP,
    p="reliability",
)
_add(
    "so it stops|so they stop|stops getting|so it doesn't|so it won't|so we stop|so that it stops"
    "|stop being|stops being|stop needing|stops needing|stop paging|stop happening"
    "|stops happening"
    "|goes away|go away|never again|no more pages|fewer pages|reduce pages|less paging|reduce toil"
    "|eliminate|eliminates|eliminating|prevent|prevents|preventing|avoid|avoids|so we never"
    "|so we don't|so nobody has to|so no one has to|instead of being paged|stop the bleeding"
    "|for good|once and for all|permanently"
    # What a follow-up is for, said of the incident class: "… in the case of similar incidents",
    # "to mitigate future events such as this".
    "|similar incidents|similar outages|similar failures|future incidents|future outages"
    "|future events|future failures|such incidents|from happening again|recurrence"
    "|to mitigate these|to mitigate such|to mitigate future|to mitigate similar|help mitigate"
    "|helps mitigate|to alleviate|help alleviate|helps alleviate",
    "removes a future class of forced work",
    -2.2,
    0.0,
    # A purpose clause does not say how big the work is: "to prevent looping", "to avoid running
    # out of disk" mostly close a local fix; automation or a platform says long-term by its own
    # words.
    -0.4,
    kind=PREVENT,
)
_add(
    "every hour|every minute|every few minutes|every morning|every deploy|keep getting"
    "|keeps getting|we keep|keeps|keep|every week|every day|every time|every night"
    "|recurring|repeatedly|over and over|again and again|third time|3rd time|yet again"
    "|constantly|always fires|all the time",
    "a recurring problem",
    0.0,
    0.0,
    0.0,
    kind=RECURRING,
)

# --- scope / generational -------------------------------------------------------------------------
# Why: how big the change is: platforms, rewrites, architecture lean long-term; verbs alone are
# weak evidence of who compels it (tie-breaker 2).
_add(
    "platform|platforms|framework|architecture|re-architect|rearchitect|re-architecture"
    "|re-architected|rearchitected|re-architecting|rearchitecting|redesigned|redesigning"
    "|redesign|overhaul|generational|next-gen|next generation|paved road|golden path"
    "|internal developer platform|developer portal|backstage|service catalog"
    "|dev environment|dev environments|cloud dev|ephemeral environments|preview environments"
    "|operator for|abstraction|abstractions",
    "builds a platform or architecture",
    -1.6,
    1.2,
    2.6,
    kind=BUILD,
    p="reliability:0.3",
)
_add(
    "self-service|self-serve|self serve|self service|one click|one-click|push-button|push button"
    "|on demand|on-demand|without filing a ticket|without a ticket|paved",
    "self-service capability",
    -1.8,
    1.0,
    2.4,
    kind=BUILD,
    p="usability:1.5",
)
_add(
    "multi-region|multi region|multiregion|active-active|active/active"
    "|cell-based|cell based|cells|sharding|shard|shards|resharding|multi-az|multi-cluster"
    "|per-domain|federation|federated|multi regions|multiple regions|multi-regions"
    "|cross-region|cross region|across regions",
    "a new topology",
    -1.6,
    1.4,
    2.6,
    kind=BUILD,
    p="reliability",
)
_add(
    "streaming|cdc|event-driven|event driven|event sourcing|service mesh|mesh|zero-trust"
    "|zero trust|identity-aware|identity aware|workload identity|gitops|infrastructure as code"
    "|policy-as-code|policy as code|as-code|as code|runbooks-as-code|monorepo|microservice*"
    "|monolith|soa|service-oriented|break out|breaking out|split out|carve out|decompose"
    "|workflow engine|orchestrat*|progressive delivery|feature flag service|feature flags"
    "|canary analysis|automated canary|canaries|blue/green|blue-green|chaos"
    "|game day|game days|gameday|gamedays|fault injection|sbom|sboms|reproducible"
    "|supply chain|slsa|sigstore|cosign|distributed tracing|opentelemetry|open telemetry",
    "a generational change",
    -1.0,
    1.2,
    2.4,
    kind=BUILD,
    p="reliability:0.5",
)
_add(
    "autoscaling|auto-scaling|autoscale|autoscaler|auto-scale|karpenter|keda|auto-remediation"
    "|auto remediation|autoremediation|auto-expanding|auto-expand|auto-heal|self-healing"
    "|self healing|automation|automate|automated|automating|automatic|automatically|auto"
    "|fleet management|fleet-wide|fleetwide|org-wide|orgwide|company-wide|companywide|everywhere"
    "|across all|across every|for all teams|every team|all teams",
    "automation that removes future work",
    -1.2,
    0.8,
    2.0,
    kind=BUILD,
    p="efficiency:0.6 reliability:0.4",
)
_add(
    "rewrite|rewriting|rewrote|re-write|rebuild|rebuilding|re-build|reimplement|re-implement"
    "|replatform|re-platform|modernize|modernise|modernization|modernisation",
    "a rewrite",
    0.0,
    1.0,
    2.2,
)
_add(
    "migrating|migration|migrations|move to|move from|moving to|moving from|move off"
    "|moving off|get off|switch to|switching to|switch from|transition to|port to|replace"
    "|replacing|replacement|replaced|swap out|consolidate|consolidating|consolidation|unify"
    "|unifying|standardize|standardise|standardizing|centralize|centralise|adopt|adopting"
    "|introduce|introducing|roll out|rollout|tiered|tiering|managed offering|managed service"
    "|fully managed",
    "a move to something new",
    0.0,
    1.0,
    1.0,
)
_add(
    "design doc|design|rfc|proposal|strategy|strategic|roadmap|okr|okrs|initiative|vision"
    "|long-term|long term|longterm|multi-quarter|evaluate|evaluating|evaluation|eval|evals|poc"
    "|proof of concept|prototype|pilot|explore|exploring|investigate options|research|long-lived"
    "|investigation|investigations|possibilities|feasibility",
    "a planned initiative",
    -0.8,
    1.0,
    1.6,
    kind=BUILD,
)
_add(
    "build|building|built|develop|create a|new service|new system|own service|its own"
    "|tooling|calculator|estimator|estimation|estimations"
    "|dedicated|layer|component|end-to-end|full workflow|whole|entire",
    "building something new",
    -0.4,
    # Nothing about a forced item's horizon: there "build" is mostly a CI build that fails.
    0.0,
    1.2,
    kind=BUILD,
)
_add(
    "every|all|fleet|all of|across|each|estate|entire fleet|~40|dozens|hundreds|whole org"
    "|entire org|across the org"
    "|all services|all hosts|all clusters|all images|every service|every image|every host",
    "a broad campaign",
    0.0,
    0.9,
    0.6,
)
_add(
    "zero-downtime|zero downtime|without downtime|no downtime|minimal downtime|downtime-free"
    "|near-zero downtime|near zero downtime|reduce downtime|reducing downtime"
    "|rollbacks|automatic rollbacks|auto-rollback|auto rollback|highly available|ha setup"
    "|disaster recovery|dr plan|dr site|backup strategy|containerize|containerise"
    "|containerizing|containerized|containerised|dockerize|dockerise|dockerizing|dockerising"
    "|dockerized|dockerised|serverless|codify|codified|terraform-ize|import into terraform|tracing"
    "|centralize|centralise|centralized|centralised|centralizing|centralising|centralization"
    "|centralisation"
    "|otel|revamp|rework|re-work|reimagine|rethink|v2|2.0"
    "|full-blown|first-class|production-grade|long-term fix|permanent fix"
    "|module registry|container platform|decide on|decide between|choose a|pick a|which vendor",
    "a larger piece of work",
    -0.4,
    1.0,
    1.4,
    kind=BUILD,
)
_add(
    "move|moving|migrate",
    "a move",
    0.0,
    0.6,
    0.6,
)
_add(
    "set up|stand up|establish|practice",
    "setting up something lasting",
    -0.8,
    0.8,
    1.4,
    kind=BUILD,
)
_add(
    "scheduler|services|systems|clusters|databases|datastore|datastores|stack|stacks|engine"
    "|gateway|message bus|environments|pipelines|whole fleet|architecture",
    "a system-sized change",
    -0.2,
    0.4,
    0.9,
)
_add(
    "single point of failure|spof|remove the single point|redundancy|redundant|failure domain"
    "|high availability|high-availability|ha mode|ha support|leader election|multiple replicas"
    "|horizontal scaling|horizontally scalable|scale horizontally|horizontally scale"
    "|failure domains|blast radius|isolation|tenant isolation",
    "removes a class of failure",
    0.0,
    1.0,
    1.6,
    kind=BUILD,
    p="reliability",
)

# --- small change ---------------------------------------------------------------------------------
# Why: scoped tweaks, docs, alerts, cleanups, requests: chosen and short-term.
_add(
    "add|adding|added|include|put|show|print|prints|display|expose a|export|emit|wrap|tweak"
    "|tweaks|adjust|bump|raise|lower|increase|decrease|set|change|rename|swap|toggle|enable"
    "|bumped|bumping|raised|increased|lowered|decreased|adjusted|tweaked"
    "|turn on|disable|turn off the|pin|unpin|fix the|fix a|tiny|small|smol|quick|quick win"
    "|minor|nit|nits|nitpick|little|simple|one-liner|one liner|few lines|trivial|easy",
    "a small, scoped change",
    -0.8,
    -1.0,
    -1.4,
)
_add(
    "typo|typos|wording|readme|doc|docs|documentation|document|documented|runbook|runbooks|wiki"
    "|broken link|broken links|dead link|dead links|release notes|upgrade notes|migration guide"
    "|comment|comments|docstring|faq|how-to|howto|guide|onboarding doc|link|links|screenshot",
    "documentation",
    -1.4,
    -1.0,
    -1.6,
    p="usability",
)
_add(
    "cli|dry-run|dry run|flag|flags|option|subcommand|slash command|command|prompt"
    "|alias|aliases|autocomplete|completion|help text|usage|output|verbose|colors|colours|color"
    "|colour|legend|ux|dx|ergonomic*|confusing|annoying|painful|clunky|friction|nicer|prettier"
    "|readable",
    "a usability tweak",
    -1.2,
    -0.8,
    -1.4,
    p="usability",
)
_add(
    "dashboard|dashboards|panel|panels|board|graph|graphs|widget",
    "a dashboard change",
    -1.0,
    -0.6,
    -1.2,
    p="usability reliability:0.3",
)
_add(
    "threshold|thresholds|timeout|timeouts|connect timeout|retry|retries|retrying|backoff|jitter"
    "|ttl|appropriate timeout|appropriate timeouts|add timeouts|add a timeout|set timeouts"
    "|configure timeouts|proper timeouts|sane timeouts|reasonable timeouts"
    "|maxsurge|max surge|maxunavailable|pdb|poddisruptionbudget|liveness|readiness|probe"
    "|healthcheck|health check|healthz|circuit breaker|rate limit|requests and limits"
    "|memory limit|memory limits|cpu limit|cpu limits|resource limit|resource limits|mem limit"
    "|memory request|memory requests|cpu request|cpu requests"
    "|replicas|replica count|resource request|resource requests|cron|cronjob",
    "a targeted reliability tweak",
    -1.2,
    -0.8,
    -1.4,
    p="reliability",
)
_add(
    "alert|alerts|alerting rule|alert rule|notification|notifications|notify"
    "|ping|pings|mention|page the|silence|silences|mute|snooze|inhibit|inhibition",
    "an alerting tweak",
    -0.6,
    -0.6,
    -1.0,
    p="reliability",
)
_add(
    "lint|linter|linting|pre-commit|precommit|fmt|format|formatter|make target|makefile|ci check"
    "|codeowners|owners file|label|labels|auto-label|template|templates|snippet|script|scripts"
    "|helper|wrapper|tag|tags|tagging",
    "a small tooling change",
    -1.2,
    -0.6,
    -1.2,
    p="usability",
)
_add(
    "cleanup|clean up|clean-up|cleaning up|tidy|tidy up|delete|deleting|prune|pruning|purge"
    "|remove unused|unused|orphaned|stale resources|old snapshots|garbage|leftover|leftovers"
    "|dead code",
    "a cleanup",
    -1.4,
    -0.6,
    -1.2,
    p="efficiency",
)
_add(
    "would be nice|nice to have|nice-to-have|wishlist|wish list|someday|some day|could we|can we"
    "|can the|should we|it'd be nice|it would be nice|would love|idea|ideas|thought|maybe|consider"
    "|when someone has time|low priority|low-pri|lowpri|no rush",  # not "backlog": of a queue too
    "a wish, not a compulsion",
    -1.6,
    0.0,
    -0.2,
)
_add(
    "improve|improves|improving|improvement|improvements|better|easier|cleaner|simpler|nicer"
    "|faster|cheaper|safer|smoother|more reliable|less spiky|less noisy|noisy|reduce|reducing"
    "|optimize|optimise|optimizing|optimising|optimization|optimisation|speed up|make it",
    "an improvement we choose",
    -1.2,
    0.0,
    0.0,
)
_add(
    "so we can|so people|so reviewers|so teams|so that we can|so devs|so engineers|so on-call"
    "|so oncall|so it's|so its",
    "makes someone's work easier",
    -1.0,
    0.0,
    0.0,
    p="usability:0.5",
)
_add("warn only", "a stopgap we choose", -0.8, -0.6, -1.0)
# "for now" marks a temporary measure against something pressing ("pin the chart to 4.2 for now, 4.3
# breaks websockets"), not a choice to do less: it leans forced a little, and short either way.
_add("for now|for the time being", "a temporary measure", 0.6, -0.6, -1.0)
_add(
    "page|partial|snippet|report|job|step|sleep|space|bookmarks|cheatsheet|crons|file"
    "|files|inventory|folder|directory|config file|variable|variables|setting|settings|value"
    "|entry|line|a line|one line|field|column|key in|env var|env vars|reminder|reminders"
    "|annotation|makefile target",
    "a small artifact",
    -0.3,
    -0.4,
    -1.0,
)
_add(
    "feature request|enhancement|rfe|request:|would be handy|handy|useful|helpful|convenient"
    "|quality of life|qol|papercut|paper cut|polish",
    "a request, not a compulsion",
    -1.4,
    0.0,
    -0.8,
    p="usability",
)
_add(
    "refactor|refactoring|simplify|dedupe|deduplicate|reorganize|reorganise|tidy up|clean"
    "|add tests|unit tests|integration tests|test coverage|flaky|flaky test|flaky tests|flake"
    "|more logging|add logging|log line|structured logs"
    "",
    "a chosen fix-up",
    -1.0,
    -0.2,
    -0.6,
)
_add(
    "should say|should show|should print|should include|should mention|should tell|should link"
    "|should display|should warn|should explain|say who|post to|post in|send a|notify",
    "a small usability tweak",
    -1.0,
    -0.6,
    -1.2,
    p="usability",
)
_add(
    "look into|investigate why|figure out|dig into|check why|take a look|have a look",
    "something to look into",
    -0.3,
    0.0,
    -0.3,
)
_add(
    "alert on|alert for|alerts on|alerts for|alerting on|alerting for|page on|monitor for"
    "|monitoring for|monitoring on|monitoring of|monitor on|monitors for|detection for|detect when"
    "|warn on|warn about|warning on|a check for|check for"
    # Setting up a watch for something ("alarms for high error rates", "get paged when it is
    # down", "notifies me if the site is down", "check if site is up"): the condition is watched
    # for, not happening now.
    "|alarm for|alarms for|alarm on|alarms on|alarm if|alarm when|alert if|alert when|alerts if"
    "|alerts when|alert me if|alert me when|alert us if|alert us when|notify me if|notify me when"
    "|notify us if|notify us when|notifies me if|notifies me when|notifies us if|notifies us when"
    "|paged if|paged when|page me if|page me when|page us if|page us when|check if|checks if"
    "|check whether|checks whether",
    "watching for a condition",
    -1.0,
    -0.6,
    -1.2,
    kind=MONITOR,
    p="reliability",
)

# What the work prepares for ("better error messages in case of deployment failure", "a runbook in
# the event of an outage"): what follows is a condition, not an event now. No weight of its own.
_add(
    "in case|in case of|in the event of|in the event that", "a condition planned for", kind=MONITOR
)

# --- principles -----------------------------------------------------------------------------------
# Why: principle tags only, plus phrases that would otherwise mislead (not evidence either way).
_add(
    "security|secure|secret|secrets|password|passwords|credential|credentials|creds|api key"
    "|access key|private key|ssh key|token|tokens|key|keys|kms|iam|rbac|permissions|permission"
    "|access review|access reviews|access control|least privilege|sso|saml|oidc|mfa|2fa|vpn"
    "|firewall|waf|tls|ssl|mtls|cert|certs|certificate|certificates|ca|acme|encryption|encrypt"
    "|encrypted|signing|signed|vault|bastion|break-glass|break glass|auth|authn|authz|login"
    "|pentest|pen test|hardening|host key|segmented|segmentation|scanner|scanning|trivy|dependabot"
    "|psp|podsecuritypolicy|pod security|identity|authentication|authenticate|authenticated"
    "|ldap|opa|gatekeeper|gpg|hacked|pwned|unauthorized access|suspicious login"
    "|hardcoded secret|hardcoded password|hard-coded password|plaintext password"
    "|workload identity|azure ad|service account|service accounts|spiffe|scim|impersonation",
    "security",
    p="security",
)
# Words that name reliability work by themselves (backups, failover, monitoring, an SLO, the
# monitoring stack's own names): one is enough for the tag.
_add(
    "reliability|reliable|availability|uptime|slo|slos|sla|error budget|backup|backups|restore"
    "|restores|restoring|disaster recovery|recovery|rpo|rto|failover|failovers|fail-over"
    "|redundancy|redundant|high availability|highly available|replication|monitoring"
    "|observability|tracing|distributed tracing|healthcheck|health check|resilien*|durability"
    "|correctness|single point of failure|spof|unstable|instability|disruption|disruptions"
    "|watchdog"
    "|prometheus|alertmanager|thanos|nagios|icinga|zabbix|mirrors",
    "reliability",
    p="reliability",
)
# Words that often come with it but also with other work (a deploy, a queue, a mirror, "ha"):
# two are needed.
_add(
    "dr|ha|replica|replicas|on-call|oncall|blast radius|rollout|rollouts|deploy|deploys|deployment"
    "|deployments|canary|probe|quorum|queue|queues|etcd|kafka|mirror"
    "|pod disruption budget|disruption budget|poddisruptionbudget",
    "reliability",
    p="reliability:0.6",
)
_add(
    "usability|developer experience|onboarding|docs|ergonomics|self-service|discoverab*"
    "|friendlier|user-friendly|intuitive|dev environment|dev environments|devex|golden path"
    "|developer portal|backstage|crossplane|chatops|misleading|searchable|searchability",
    "usability",
    p="usability",
)
_add(
    "cost|costs|spend|spending|bill|bills|invoice|savings|saving|save|cheaper|budget|$|usd"
    "|finops|rightsize|rightsizing|right-size|reserved instances|savings plan|spot|graviton|arm"
    "|utilization|utilisation|idle|waste|wasted|toil|by hand|manually|manual|efficien*|snapshots"
    "|storage costs|egress|charges|pricing|prices|paying|pay for|licensing|license cost|seats"
    "|free tier|free plan|free plans|lifecycle rule|lifecycle policy|lifecycle policies|glacier"
    "|unused|nobody uses|consolidate|consolidating|consolidation|babysit*|hand-managed"
    "|retention|autoscaling|autoscale|auto-scaling|scale down|decommission|decommissioning"
    "|burden|sponsorship|sponsorships|donated|underutilized|underutilised|overprovisioned"
    "|over-provisioned|costly|expensive|fee|fees|overage|overages|extended support|cleaning"
    "|cleans",
    "efficiency",
    p="efficiency",
)
_add(
    "latency|latencies|p50|p90|p95|p99|p999|tail latency|slow|slower|slowness|sluggish"
    "|performance|perf|response time|response times|ttfb|ms|seconds|build time|build times"
    "|ci time|ci duration|fast|faster|speed|speedup|cache|caching|cdn|gzip|brotli|compression"
    "|throughput|hot path|cold start|cold starts|pgbouncer|read-replica|read replica|4mb"
    "|load test|load-test|load testing|load tests|packet loss|bottleneck|bottlenecks|consumer lag"
    "|replica lag|replication lag|hours behind|performant|degraded performance|response times"
    "|slowdown|slowdowns|delays|delays in|concurrency|increased latency|increased latencies"
    "|latency increased|increase in latency|higher latency|response times increased"
    "|increased response times|increased response time",
    "latency",
    p="latency",
)
_add(
    "lower cost|lower costs|at lower cost|lower latency|build deps|build dependencies"
    "|build config|build scripts|build script|build jobs|build job"
    "|build runners|build runner|build server|build servers|log rotation|logrotate"
    "|rotation schedule|on-call rotation|oncall rotation|build cache"
    "|build times|build time|build agents|build agent|build hosts|build step|build logs"
    "|board meeting|data export|incident reporting|incident response|incident management"
    "|incident process|incident tooling|incident bot|incident reviews"
    "|incident workflow|incident channel|incident channels"
    # Duplicated text is no pasted secret; a change under review is no security patch.
    "|copy-pasted|copy-paste|copy paste|copy pasted|copy-pasting|copy and paste|copy and pasted"
    "|copypasted|copypaste|this patch|that patch|my patch|attached patch"
    # What something does from now on, not what is happening now ("UMCCRISE now uses CDK").
    "|now uses|now use|now runs|now run|now handles|now supports|now lives|now points",
    "not evidence here",
    kind=NEUTRAL,
)

# Data being copied to a backup ("is all of /mnt/bak being backed up offsite?") is no queue backed
# up.
# Leftovers to clean up ("the 40 stale branches", "resurrecting stale ones") are not stale data.
_add(
    "stale branches|stale branch|stale ones|stale prs|stale pull requests|stale issues"
    "|stale images|stale artifacts|stale records|stale entries|stale environments"
    "|stale directories|stale files|stale tokens|stale runners|stale accounts|stale users",
    "leftovers to clean up",
    kind=NEUTRAL,
)
_add(
    "vulnerability scanning|vulnerability scanner|vulnerability scanners|vulnerability scan"
    "|vulnerability scans|vuln scanning|vuln scanner|image scanning|security scanning",
    "security tooling",
    kind=NEUTRAL,
    p="security",
)
_add(
    "being backed up|been backed up|be backed up|get backed up|gets backed up|backed up offsite"
    "|backed up off-site|backed up nightly|backed up daily",
    "a backup",
    kind=NEUTRAL,
    p="reliability",
)

# --------------------------------------------------------------------------------------------------
# Matcher

_TOKEN_RE = re.compile(r"[a-z0-9$~]++(?:'[a-z]++)?+(?:-[a-z]++)?+")
# PascalCase words such as alert names; camelCase config keys ("maxUnavailable") stay whole.
_CAMEL_RE = re.compile(r"\b[A-Z][A-Za-z0-9]*[a-z][A-Z][A-Za-z0-9]*")
_CAMEL_SPLIT_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
"""Words, numbers and the odd "$"; a hyphenated suffix stays attached ("self-service")."""

_HTTP_5XX = re.compile(r"5\d\d(?:s|ing|ed|'s)?|5xx(?:s)?")
_HTTP_4XX = re.compile(r"40[134](?:s|ing|ed)?")
_HTTP_STATUS = re.compile(r"(?:5\d\d|40[134])(?:s|ing|ed|'s)?")

_CVE_RE = re.compile(r"\bGHSA(?:-[0-9a-z]{4}){3}\b", re.IGNORECASE)
_PERCENT_RE = re.compile(
    r"(?<!\bto )(?<!\bfrom )(?<!\bthreshold )(?<!\bat least )(?<![\d.])(?:9[0-9]|100)(?:\.\d+)?\s?%"
)
_INCIDENT_ID_RE = re.compile(r"\b(?:INC|INCIDENT|SEV)[- ]?\d+\b")
_ALERT_RE = re.compile(
    r"\[(?:FIRING|CRITICAL|ALERT|TRIGGERED|SEV ?\d|P[12])[^\]]*\]|^\s*(?:FIRING|ALERT|TRIGGERED)\b"
    r"|^\s*(?:PagerDuty|Alertmanager|Datadog|Opsgenie|Grafana alert|CloudWatch alarm|Sentry)\s*:",
)
_ALERT_PREFIXES = (
    "firing",
    "alert",
    "triggered",
    "pagerduty",
    "alertmanager",
    "datadog",
    "opsgenie",
    "grafana alert",
    "cloudwatch alarm",
    "sentry",
)
_DIGIT_RE = re.compile(r"\d")
_EMOJI_RE = re.compile("[\U0001f525\U0001f6a8\U0001f631\U0001f198\U0001f4a5\U0001f480]")

CVE_CUE = Cue(
    "security exposure", 3.0, -1.8, kind=Kind.NOW, principles=_pr("security:2"), label="GHSA"
)
HIGH_USAGE_CUE = Cue(
    "resource nearly exhausted", 2.2, -2.0, kind=Kind.NOW, principles=_pr("reliability")
)
INCIDENT_ID_CUE = Cue(
    "a declared incident", 2.8, -2.2, kind=Kind.NOW, principles=_pr("reliability")
)
ALERT_CUE = Cue("an alert firing", 2.8, -2.2, kind=Kind.NOW, principles=_pr("reliability"))
EMOJI_CUE = Cue("alarm in the message", 1.2, -1.0, kind=Kind.NOW)
HTTP_5XX_CUE = Cue("server errors", 2.6, -2.2, kind=Kind.NOW, principles=_pr("reliability"))
HTTP_4XX_CUE = Cue("requests failing", 2.2, -1.6, kind=Kind.NOW, principles=_pr("reliability"))
DROPS_SUPPORT_CUE = Cue("an outside party sets the terms", 2.2, 1.6, kind=Kind.DEADLINE)
DROPPING_CUE = Cue(
    "failing in production now", 2.2, -1.8, kind=Kind.NOW, principles=_pr("reliability")
)
VERSION_GONE_CUE = Cue(
    "removed in a named release", 2.4, 1.6, kind=Kind.DEADLINE, principles=_pr("reliability:0.5")
)
TOPIC_CUE = Cue("names what a document is about", kind=Kind.TOPIC)

# "removed in 1.22", "removed from K8s 1.25", "remove psp from kubernetes version 1.25",
# "unavailable in v1.25+": a removal tied to a named release is an upstream deadline (the upgrade
# will break it), not something broken now.
_VERSION_GONE_RE = re.compile(
    r"\b(?:remov(?:e|ed|es|al|ing)|disappear(?:s|ed)?|unavailable|unsupported|gone|dropped"
    r"|no longer (?:served|supported|available))\b"
    r"(?:\s+[^\s,;:()]+){0,4}?\s+(?:in|from|since|as of|starting with|starting|after|by|before)\s+"
    r"(?:the\s+)?(?:(?:k8s|kubernetes|kube|version|release|v)\s+){0,2}v?\d+\.\d+"
)
_VERSION_GONE_WORDS = (
    *("remov", "disappear", "unavailable", "unsupported", "gone", "dropped", "longer"),
)

# A document as the work's object, then what it is about: "note for removal of …", "docs mention
# images which are EOL", "Troubleshooting Docs for IP Address Exhaustion", "….md suggests using an
# expired cacert". The incident and deadline words after it are the document's topic.
_DOCUMENTS = frozenset(
    {
        *("note", "notes", "doc", "docs", "documentation", "readme", "md", "guide", "guides"),
        *("runbook", "runbooks", "playbook", "blog", "faq", "wiki", "article", "tutorial"),
    }
)
_ABOUT = frozenset(
    {
        *("for", "about", "on", "of", "regarding", "mention", "mentions", "mentioning"),
        *("describing", "describe", "describes", "explaining", "explain", "explains"),
        *("covering", "cover", "covers", "suggests", "suggest", "says", "say", "recommends"),
    }
)

# A vendor "drops" something only when what it drops is support, an API or a named version or
# feature ("drops python 3.8", "dropping PodSecurityPolicy"); "is dropping connections" and "pods
# dropping out of the pool" describe a failure. The object is read from the original text, so a
# capitalised name counts and a lower-case failure noun does not.
_DROP_RE = re.compile(r"\b[Dd]rop(?:s|ping|ped)\b((?:\s+[^\s,;:()]+){1,4})")
_DROP_WORD_RE = re.compile(r"[A-Za-z0-9][\w./%-]*")
_DROP_OBJECTS = frozenset({"api", "apis", "compatibility", "it", "them"})
_DROP_FAILURES = frozenset(
    {
        *("connections", "connection", "conns", "packets", "packet", "requests", "request"),
        *("reqs", "messages", "message", "msgs", "traffic", "events", "event", "logs", "log"),
        *("lines", "spans", "metrics", "samples", "calls", "frames", "queries", "jobs", "writes"),
        *("reads", "streams", "sessions", "out", "off", "offline"),
    }
)


def _drop_cue(window: str) -> tuple[Cue, str] | None:
    """What "drop(s|ping|ped)" followed by ``window`` means: a failure when what is dropped is
    traffic ("dropping 30% of messages"), an outside party's terms when it is support, an API or a
    version or named feature ("drops python 3.8"), otherwise nothing."""
    words = _DROP_WORD_RE.findall(window)
    lowered = [w.lower().rstrip(".") for w in words]
    if not words or lowered[0] == "support":
        return None  # "drops support" is a lexicon phrase
    for i, lw in enumerate(lowered[:3]):
        if lw in _DROP_FAILURES:
            return DROPPING_CUE, " ".join(words[: i + 1])
    for i, (w, lw) in enumerate(zip(words, lowered, strict=True)):
        if w[0].isupper() or lw in _DROP_OBJECTS or any(c.isdigit() for c in w):
            # "drops python 3.8": name the version too
            end = i + 2 if i + 1 < len(words) and words[i + 1][0].isdigit() else i + 1
            return DROPS_SUPPORT_CUE, " ".join(words[:end])
    return None


def _split(phrase: str) -> tuple[str, ...]:
    return tuple(_TOKEN_RE.findall(phrase.lower().replace("$", " $ ")))


class _Lexicon:
    """Phrase tables built once from :data:`_LEXICON`."""

    def __init__(self, entries: Iterable[tuple[str, Cue]]) -> None:
        self.words: dict[str, list[Cue]] = {}
        phrases: dict[tuple[str, ...], list[Cue]] = {}
        self.stems: list[tuple[str, Cue]] = []
        self.max_len = 1
        for spec, cue in entries:
            for raw in spec.split("|"):
                raw = raw.strip()
                if not raw:
                    continue
                if raw.endswith("*") and " " not in raw:
                    self.stems.append((raw[:-1].lower(), cue))
                    continue
                toks = _split(raw)
                if not toks:
                    continue
                if len(toks) == 1:
                    self.words.setdefault(toks[0], []).append(cue)
                else:
                    phrases.setdefault(toks, []).append(cue)
                    self.max_len = max(self.max_len, len(toks))
        self.phrases = {k: tuple(v) for k, v in phrases.items()}
        lengths: dict[str, set[int]] = {}
        for p in self.phrases:
            lengths.setdefault(p[0], set()).add(len(p))
        seconds: dict[str, set[str]] = {}
        for p in self.phrases:
            seconds.setdefault(p[0], set()).add(p[1])
        self.phrase_seconds = {w: frozenset(ws) for w, ws in seconds.items()}
        self.phrase_lengths: dict[str, tuple[int, ...]] = {
            w: tuple(sorted(ls, reverse=True)) for w, ls in lengths.items()
        }
        self.stems.sort(key=lambda sc: -len(sc[0]))
        # The stems that can start a word, by the word's first letters (as many as the shortest
        # stem has), in the order of :attr:`stems`: a new word is tried against a few of them.
        self.stem_key = min((len(stem) for stem, _ in self.stems), default=1)
        groups: dict[str, list[tuple[str, Cue]]] = {}
        for stem, cue in self.stems:
            groups.setdefault(stem[: self.stem_key], []).append((stem, cue))
        self.stem_groups = {k: tuple(v) for k, v in groups.items()}
        # One-edit typo tolerance for longer words (symmetric-delete lookup).
        self.deletes: dict[str, str] = {}
        for word in self.words:
            if len(word) >= 7 and word.isalpha():
                for i in range(len(word)):
                    self.deletes.setdefault(word[:i] + word[i + 1 :], word)
        self.cache: dict[str, _Entry] = {}

    def clear_cache(self) -> None:
        self.cache.clear()

    def entry(self, token: str) -> _Entry:
        """What a word can start (phrase lengths, longest first, and the words that can follow it
        in a phrase), its own cues, whether it may be part of a date and whether it is long
        enough to be glued words (see :data:`Flag`), cached.

        A word's cues are found exactly, then by stem, then within one typo; a hyphenated word
        with none ("oom-killed", "end-of-life") takes those of its first part that has some.
        """
        hit = self.cache.get(token)
        if hit is not None:
            return hit
        found = self._lookup(token)
        if not found and "-" in token:
            head, _, rest = token.partition("-")
            if head in _NEGATED_HEADS:
                # "non-trivial", "non-blocking", "no-downtime": not what the rest says, so not
                # its cues; "no-downtime" is the phrase "no downtime" (a lexicon entry such as
                # "non-compliant" was found above).
                found = self.phrases.get((head, rest), ())
            else:
                for part in (head, rest):
                    if part:
                        found = self._lookup(part)
                        if found:
                            break
        lengths = self.phrase_lengths.get(token, ())
        flags = _word_flags(token)
        made = _EMPTY
        if lengths or found or flags:
            made = (lengths, found, self.phrase_seconds.get(token, _NONE), flags)
        if len(self.cache) > 200_000:
            self.cache.clear()
        self.cache[token] = made
        return made

    def _lookup(self, token: str) -> tuple[Cue, ...]:
        exact = self.words.get(token)
        if exact is not None:
            return tuple(exact)
        if token[0].isdigit():
            if _HTTP_5XX.fullmatch(token):
                return (HTTP_5XX_CUE,)
            if _HTTP_4XX.fullmatch(token):
                return (HTTP_4XX_CUE,)
            return ()
        if token.startswith("5xx"):
            return (HTTP_5XX_CUE,)
        group = self.stem_groups.get(token[: self.stem_key])
        if group is not None:
            stemmed = tuple(cue for stem, cue in group if token.startswith(stem))
            if stemmed:
                return stemmed
        if len(token) >= 6 and token.isalpha() and token not in _NOT_TYPOS:
            # The word missing a letter, or with an extra letter, or with one letter wrong.
            target = self.deletes.get(token)
            if target is not None and target.startswith(token):
                target = None  # "remove" is not a typo of "removes": inflections differ in meaning
            if target is None and len(token) >= 7:
                # A deletion names a known word only if it keeps six letters (len(d) >= 6 below).
                dropped = [token[:i] + token[i + 1 :] for i in range(len(token))]
                # Most words are no typo: two set checks in C say so before the loop below.
                if self.words.keys().isdisjoint(dropped) and (
                    len(token) < 8 or self.deletes.keys().isdisjoint(dropped)
                ):
                    dropped = []
                for d in dropped:
                    if d in self.words and len(d) >= 6 and not token.startswith(d):
                        target = d
                        break
                    if len(token) >= 8 and d in self.deletes:
                        target = self.deletes[d]
                        break
            if target is not None:
                return tuple(self.words[target])
        return ()


# English words one edit away from a cue word that mean something else ("reached" is not a typo
# of "breached", nor "headline" of "deadline", "throughout" of "throughput" or "complaint" of
# "compliant"). Found by running every word of two English word lists (gcide, web2) through the
# typo lookup and keeping the common ones whose match was not a variant of the same word.
_NOT_TYPO_TEXT = """
    aching ailing auditory auspicious bending blacking blanching bleached bleaching branched
    branching brawling breathed breathing bustled canner canning carpenter catching clapping
    cleanser clocking closing coaching collocation coloration complaint completing complexion
    confider confusion consign contact contactual contactually contrast cradling curability
    decease deceased dedicatee doublets doubting drawling emergence emigrate emigration
    employment executing fairing feaster fiction filing fining fireball flagging flocking
    forecastle foremast fraction fruition gadding garage gardening growling hatching headiness
    headline heaper hoarding impaction inhibiting intruded lapping latching leaner lending
    likeness lining loosing lowness lunching madding manfully matching mending mistrust
    mistrusting modernism optimism optimist outrage padding parching pending pitching playing
    praying preaching presidency projecting protection racing reached reaching reactor recompose
    reindeer remainder residence restate reverend revered reversed reversing roasting rotting
    rowing scheduled screaming seducing sending settling shading sharking shaving shearing
    silenced simper slapping smother speeding stability steaming tending throughout tiring
    topped unbreachable vending violation wadding waisted watching contacts contrasts employments
    emigrations fictions outrages protections reactors remainders restates smothers
"""
_NOT_TYPOS = frozenset(_NOT_TYPO_TEXT.split())

LEXICON = _Lexicon(_LEXICON)
PURPOSE_CUE = Cue("names the trouble the work prevents", -1.2, 0.0, 0.3, kind=Kind.PREVENT)
"""A purpose clause found by :func:`_purpose`: weaker than "prevent", says little about size."""

_NEGATORS = frozenset({"no", "not", "non", "never", "without", "isn't", "wasn't", "nothing"})
_NEGATED_HEADS = frozenset({"no", "non"})
"""The first parts of hyphenated words that negate the rest ("non-blocking", "no-downtime")."""


def find_cues(text: str) -> tuple[list[Hit], list[str]]:
    """All lexicon cues in ``text`` (longest phrase wins) and the lower-cased tokens."""
    hits, tokens, *_ = read(text)
    return hits, tokens


def read(text: str) -> tuple[list[Hit], list[str], list[int], int, str]:
    """:func:`find_cues`, plus where the words that may belong to a date are (for
    :func:`core.classify_dates.find_times`) and which :class:`Flag` bits the words and cues
    have, all found in the same pass over the words; and ``text.lower()``."""
    lower = text.lower()
    lowered = lower.replace("\u2019", "'")
    tokens: list[str] = _TOKEN_RE.findall(lowered)
    hits, dates, flags = _match(tokens)
    # Alert names come glued: "KubePodCrashLooping", "PrometheusTSDBCompactionsFailing". Only a
    # long word can be one, so the case-sensitive look is skipped for nearly every text.
    if flags & Flag.GLUED and _CAMEL_RE.search(text) is not None:
        split = _CAMEL_RE.sub(_split_camel, text)
        tokens = _TOKEN_RE.findall(split.lower().replace("\u2019", "'"))
        hits, dates, flags = _match(tokens)
    if flags & Flag.FORECAST and flags & Flag.BUILD:
        flags |= Flag.REFRAMING  # a forecast in a text that builds a tool
    if hits and flags & Flag.ARTIFACT:
        hits = _artifact_names(hits, tokens)  # drops only NOW cues, which do not reframe
    if flags & Flag.SO:
        found = len(hits)
        _purpose(hits, tokens)
        if len(hits) > found:
            flags |= Flag.REFRAMING  # PURPOSE_CUE
    if flags & Flag.GONE:
        hits = _version_gone(lowered, hits)  # adds a DEADLINE cue, which does not reframe
    if flags & _STATUS_FLAG:
        hits = _ticket_numbers(lowered, hits, tokens)  # drops only NOW cues
    _special(text, lowered, hits, tokens)  # adds only NOW and DEADLINE cues, which do not reframe
    if hits and flags & Flag.DOCUMENT and _topic(hits, tokens):
        flags |= Flag.REFRAMING  # TOPIC_CUE
    return hits, tokens, dates, flags, lower


class Flag:
    """Bits that :func:`read` reports about a text's words and cues."""

    DATE = 1
    """A word that may anchor a time expression (see :func:`may_be_date`)."""
    GLUED = 2
    """A word longer than :data:`_GLUED_MIN`, which may be several words glued together."""
    ARTIFACT = 4
    """A word in :data:`_ARTIFACTS`."""
    SO = 8
    """The word "so", which may open a purpose clause."""
    CONDITIONAL = 16
    """A word in :data:`CONDITIONALS`."""
    REFRAMING = 32
    """A cue that reframes others (``Cue.reframing``)."""
    DOCUMENT = 64
    """A word in :data:`_DOCUMENTS`, which may name a document whose topic follows."""
    GONE = 128
    """A word that may say something is removed ("removed", "unavailable"), perhaps in a release."""
    FORECAST = _FORECAST_FLAG
    """A forecast cue (:data:`FORECAST`), which a text that builds something reframes."""
    BUILD = _BUILD_FLAG
    """A cue of kind BUILD: the work builds something lasting."""
    EXPOSURE = _EXPOSURE_FLAG
    """A named vulnerability (CVE, advisory, vuln, exploit)."""
    STATUS = _STATUS_FLAG
    """A number that may be an HTTP status ("500", "503s"), or part of a ticket id ("INFRA-500")."""


CONDITIONALS = frozenset({"when", "if", "whenever", "unless", "once"})
_GLUED_MIN = 11


def _word_flags(token: str) -> int:
    return (
        (Flag.DATE if may_be_date(token) else 0)
        | (Flag.GLUED if len(token) > _GLUED_MIN else 0)
        | _SET_FLAGS.get(token, 0)
        | (Flag.GONE if token.startswith(_VERSION_GONE_WORDS) else 0)
        | (Flag.STATUS if token[:1].isdigit() and _HTTP_STATUS.fullmatch(token) else 0)
    )


def _match(tokens: list[str]) -> tuple[list[Hit], list[int], int]:
    """The lexicon's cues among ``tokens`` (longest phrase wins), the positions of the words that
    may be part of a date, and the :class:`Flag` bits of all the words and cues."""
    hits: list[Hit] = []
    dates: list[int] = []
    seen = 0
    lex = LEXICON
    n = len(tokens)
    phrases = lex.phrases
    cache_get = lex.cache.get
    entry = lex.entry
    append = hits.append
    empty = _EMPTY
    skip_to = 0
    for i, tok in enumerate(tokens):
        # Most words are in no cue, open no phrase and have no flag: one dictionary probe skips
        # them.
        found = cache_get(tok)
        if found is None:
            found = entry(tok)
        if found is empty:
            continue
        lengths, cues, seconds, flags = found
        if flags:
            seen |= flags
            if flags & 1:  # Flag.DATE
                dates.append(i)
        if i < skip_to:
            continue
        step = 1
        # Most words that can open a phrase are not followed by a word that continues one.
        if lengths and i + 1 < n and tokens[i + 1] in seconds:
            for length in lengths:
                if i + length <= n:
                    got = phrases.get(tuple(tokens[i : i + length]))
                    if got is not None:
                        cues, step = got, length
                        break
        if cues:
            negated = i > 0 and tokens[i - 1] in _NEGATORS
            for cue in cues:
                if negated and cue.kind in _NEGATABLE:
                    continue
                # tuple.__new__ skips the named tuple's Python-level constructor: this is hot.
                append(_new_hit(Hit, (cue, i, step, "")))
                if cue.flags:
                    seen |= cue.flags
            skip_to = i + step
    return hits, dates, seen


# Incident words that name the kind of thing being changed ("the outage template", "the
# p1-incidents channel", "a rollback button", "the CrashLoopBackOff alert") say what the work is
# about, not that something is broken now.
_ARTIFACTS = frozenset(
    {
        *("template", "templates", "runbook", "runbooks", "doc", "docs", "playbook", "playbooks"),
        *("channel", "channels", "button", "panel", "panels", "dashboard", "dashboards"),
        *("section", "checklist", "form", "wiki", "label", "labels", "alert", "alerts"),
        *("rule", "rules", "escalation", "review", "reviews", "drill", "drills", "training"),
        *("severity", "field", "tracker", "bot", "command", "handbook", "guide", "process"),
        *("warning", "warnings", "notification", "notifications", "report", "reports"),
    }
)


# The flags a word has by being in a set: ARTIFACT, SO, CONDITIONAL and DOCUMENT, in one probe.
_SET_FLAGS: dict[str, int] = {}
for _words, _bit in (
    (_ARTIFACTS, Flag.ARTIFACT),
    (("so",), Flag.SO),
    (CONDITIONALS, Flag.CONDITIONAL),
    (_DOCUMENTS, Flag.DOCUMENT),
):
    for _word in _words:
        _SET_FLAGS[_word] = _SET_FLAGS.get(_word, 0) | _bit


# After "alert": words that make it a verb ("alert the on-call") or an alert going off ("ransomware
# alert from EDR", "disk full alert fired").
_ALERTED = frozenset(
    {
        *("the", "a", "an", "on-call", "oncall", "someone", "everyone", "us", "sre", "from"),
        *("fired", "firing", "fires", "went", "triggered", "just", "again"),
    }
)


def _artifact_names(hits: list[Hit], tokens: list[str]) -> list[Hit]:
    n = len(tokens)
    kept = []
    for h in hits:
        after = h.pos + h.words
        if h.cue.kind is Kind.NOW and after < n and tokens[after] in _ARTIFACTS:
            verb = after + 1 < n and tokens[after + 1] in _ALERTED
            if not (verb and tokens[after].startswith("alert")):
                continue  # "prod is down, alert the on-call": a verb, not an artifact
        kept.append(h)
    return kept


_PURPOSE_ENDS = frozenset({"stop", "stops", "never", "don't", "doesn't", "won't", "can't", "no"})
# "… so the repository no longer works": what no longer works is the result, not a purpose.
_STILL_EXPECTED = frozenset(
    {
        *("works", "working", "builds", "build", "building", "runs", "run", "running", "starts"),
        *("installs", "compiles", "resolves", "loads", "boots"),
    }
)


def _purpose(hits: list[Hit], tokens: list[str]) -> None:
    """ "… so spikes stop taking it down": a purpose clause naming the trouble the work prevents."""
    if any(h.cue.kind is Kind.PREVENT for h in hits):
        return
    for i, tok in enumerate(tokens):
        if tok == "so":
            for j in range(i + 1, min(i + 5, len(tokens))):
                if tokens[j] in _PURPOSE_ENDS:
                    if (
                        tokens[j] == "no"
                        and j + 2 < len(tokens)
                        and tokens[j + 1] == "longer"
                        and tokens[j + 2] in _STILL_EXPECTED
                    ):
                        return  # a result
                    hits.append(Hit(PURPOSE_CUE, i, 1, " ".join(tokens[i : j + 1])))
                    return


_NEGATABLE = frozenset({Kind.NOW, Kind.DEADLINE})
_NONE: frozenset[str] = frozenset()
_Entry = tuple[tuple[int, ...], tuple[Cue, ...], frozenset[str], int]
"""A word's lexicon entry: phrase lengths it opens, its cues, words that may follow it in a phrase,
and its :class:`Flag` bits."""
_EMPTY: _Entry = ((), (), _NONE, 0)
"""The lexicon entry of a short word that is in no cue, opens no phrase and is no date (compared
by identity)."""
_new_hit = tuple.__new__


def _version_gone(lowered: str, hits: list[Hit]) -> list[Hit]:
    """ "removed in 1.25", "unavailable in v1.25+": a removal tied to a named release."""
    m = _VERSION_GONE_RE.search(lowered)
    if m is None:
        return hits
    at = len(_TOKEN_RE.findall(lowered, 0, m.start()))
    end = at + len(_TOKEN_RE.findall(m.group()))
    # The removal word is not an outage ("unavailable in v1.25+", "disappeared in 1.25").
    kept = [h for h in hits if not (h.cue.kind is Kind.NOW and at <= h.pos < end)]
    kept.append(Hit(VERSION_GONE_CUE, at, 1, m.group()))
    return kept


def _ticket_numbers(lowered: str, hits: list[Hit], tokens: list[str]) -> list[Hit]:
    """ "[CURATOR-500] move to Gitbox": the number of a ticket id is no server error."""
    kept = hits
    for h in hits:
        if h.cue is HTTP_5XX_CUE or h.cue is HTTP_4XX_CUE:
            number = tokens[h.pos]
            at = lowered.find("-" + number)
            if at > 0 and lowered[at - 1].isalnum():
                kept = [k for k in kept if k is not h]
    return kept


def _topic(hits: list[Hit], tokens: list[str]) -> bool:
    """ "docs for IP address exhaustion": mark where a document's topic starts, if incident or
    deadline words follow it (whether it did)."""
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if tok in _DOCUMENTS:
            for j in range(i + 1, min(i + 3, n)):
                if tokens[j] in _ABOUT:
                    for h in hits:
                        kind = h.cue.kind
                        if h.pos > j and (kind is Kind.NOW or kind is Kind.DEADLINE):
                            hits.append(Hit(TOPIC_CUE, j, 1, ""))
                            return True
                    return False
    return False


def _split_camel(m: re.Match[str]) -> str:
    return _CAMEL_SPLIT_RE.sub(" ", m.group())


def _special(text: str, lowered: str, hits: list[Hit], tokens: list[str]) -> None:
    """Patterns that are not words: GHSA ids, "97%", incident ids, alert prefixes, alarm emoji."""
    found: list[tuple[Cue, re.Match[str]]] = []
    if "ghsa" in lowered:
        found.extend((CVE_CUE, m) for m in _CVE_RE.finditer(text))
    if "%" in text:
        found.extend((HIGH_USAGE_CUE, m) for m in _PERCENT_RE.finditer(text))
    if ("inc-" in lowered or "inc " in lowered or "sev" in lowered) and _DIGIT_RE.search(
        text
    ) is not None:
        found.extend((INCIDENT_ID_CUE, m) for m in _INCIDENT_ID_RE.finditer(text))
    if "[" in text or lowered.lstrip().startswith(_ALERT_PREFIXES):
        m2 = _ALERT_RE.search(text)
        if m2 is not None:
            found.append((ALERT_CUE, m2))
    if "drop" in lowered:
        for m4 in _DROP_RE.finditer(text):
            read = _drop_cue(m4.group(1))
            if read is not None:
                cue, what = read
                at = len(_TOKEN_RE.findall(lowered, 0, m4.start()))
                if cue is DROPPING_CUE and any(h.pos == at for h in hits):
                    continue  # already read as a failure phrase ("dropping connections")
                hits.append(Hit(cue, at, 1, m4.group().split()[0] + " " + what))
                break
    if not text.isascii():
        m3 = _EMOJI_RE.search(text)
        if m3 is not None:
            found.append((EMOJI_CUE, m3))
    for cue, m in found:
        # Which word it sits at, roughly: the words before it (for clause-aware scaling).
        at = len(_TOKEN_RE.findall(lowered, 0, m.start()))
        hits.append(Hit(cue, at, 1, m.group().strip()))


def clear_cache() -> None:
    """Forget cached per-word lookups (for benchmarks that want a cold start)."""
    LEXICON.clear_cache()
