"""The figures: per page against the targets, the whole run, the warm-up, the machine's load
and CPU, and the list pages' tables beside their plain-loop reference."""

import re

from . import DB_NAME

# The targets: every page's p95 under 300 ms, and all pages' p95 together under 150 ms.
TARGET_P95_MS = 300.0
TARGET_ALL_P95_MS = 150.0
# Every page's own CPU per request (gunicorn's, on average) at or under 20 ms.
TARGET_CPU_MS = 20.0
LOGIN_PAGES = ("login GET /logga-in/", "login POST /logga-in/")


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))  # nearest rank
    return sorted_values[int(rank) - 1]


def report_row(
    label: str, samples: list, seconds: float, cpu_ms: list | None = None, ahead_ms=None
) -> str:
    """One page's line; cpu_ms: gunicorn's CPU of each of its requests, noted by the hooks;
    ahead_ms: what they spent after their responses building dashboards ahead (if any)."""
    times = sorted(s[1] for s in samples)
    errors = sum(1 for s in samples if s[2])
    cpu = f" {sum(cpu_ms) / len(cpu_ms):>7.1f}" if cpu_ms else ""
    if ahead_ms and any(ahead_ms):
        cpu += f" {sum(ahead_ms) / len(ahead_ms):>7.1f}"
    return (
        f"  {label:<40} {len(samples):>6} {len(samples) / seconds:>7.1f} {errors:>6} "
        f"{percentile(times, 50):>7.0f} {percentile(times, 95):>7.0f} "
        f"{percentile(times, 99):>7.0f} {times[-1] if times else float('nan'):>7.0f}{cpu}"
    )


def print_machine_load(cpu: dict) -> None:
    """The machine's load before the run and during it (others' work inflates latencies)."""
    during = cpu["load_samples"]
    print("Machine (2 cores: busy 200 % and load average 2 are both cores full):")
    print(
        f"  before the run: busy {200 * cpu['busy_before']:.0f} % in the 3 s before, "
        f"load average {cpu['load_before']:.2f} (1 min)"
    )
    if during:
        busy = [200 * b for b, _ in during]
        load = [la for _, la in during]
        print(
            f"  during the run: busy {200 * cpu['busy_during']:.0f} % (every {cpu['every']:g} s: "
            f"min {min(busy):.0f} %, max {max(busy):.0f} %), load average "
            f"{sum(load) / len(load):.2f} (min {min(load):.2f}, max {max(load):.2f})"
        )
    else:
        print(f"  during the run: busy {200 * cpu['busy_during']:.0f} %")
    rest = cpu["machine_busy_seconds"] - cpu["gunicorn_seconds"] - cpu["locust_seconds"]
    print(
        f"  CPU-s during the run: gunicorn {cpu['gunicorn_seconds']:.1f}, locust "
        f"{cpu['locust_seconds']:.1f}, the rest {max(rest, 0):.1f} (PostgreSQL, Redis and "
        f"other processes)"
    )


YEAR_PAGE = re.compile(r"^/oversikt/\?ar=(\d{4})$")


def print_cold_views(cold: dict) -> None:
    """A year's first view with the cache empty (first_view.py), beside its target."""
    print()
    print(
        f"  First view of a year (cache empty, nothing built ahead), best of "
        f"{cold['repeat']} builds, target under {cold['target_ms']} ms; load "
        f"average {cold['load_before']:.2f} before, {cold['load_after']:.2f} after "
        f"(2 cores):"
    )
    for name, figures in cold["pages"].items():
        verdict = "MET" if figures["best_ms"] < cold["target_ms"] else "NOT MET"
        print(
            f"    {name:<44} best {figures['best_ms']:>6.0f} ms, median "
            f"{figures['median_ms']:>6.0f} ms ({figures['cpu_ms']:.0f} ms of the app's CPU), "
            f"{figures['queries']} queries: {verdict}"
        )


def _conn_max_age(args) -> str:
    return "the app's default" if args.conn_max_age is None else f"{args.conn_max_age} s"


def report(
    run: dict,
    warm: dict,
    args,
    data: dict | None,
    cpu: dict,
    cpu_notes: list[dict],
    references: dict,
    cold: dict | None = None,
) -> bool:
    """The figures, and whether the targets are met. They are judged on the steady state:
    from when every user has been started and has logged in (a login hashes a password on
    purpose slowly, and twenty managers do not log in within the same four seconds) to the end.
    The whole run, ramp-up included, is printed too. Each page's CPU is the mean of gunicorn's
    CPU per request the hooks noted; each list page has its table's reference below it."""
    samples = run["samples"]
    logins = [s for s in samples if s[0] in LOGIN_PAGES]
    everything = [s for s in samples if s[0] not in LOGIN_PAGES]
    if not everything:
        print("No requests were recorded; see var/bench/locust.log")
        return False
    started = min(s[3] - s[1] / 1000 for s in samples)
    ended = max(s[3] for s in samples)
    steady_from = max([started, *run["spawned"], *(s[3] for s in logins)])
    # Each year's first view in the run: nobody had asked for that year before it.
    first_views, seen = [], set()
    for s in sorted(everything, key=lambda s: s[3] - s[1] / 1000):
        match = YEAR_PAGE.match(s[0])
        if match and match.group(1) not in seen:
            seen.add(match.group(1))
            first_views.append(s)

    def label(name):
        return "/oversikt/?ar=<generated year>" if YEAR_PAGE.match(name) else name

    everything = [(label(s[0]), *s[1:]) for s in everything]
    loop = [s for s in everything if s[3] - s[1] / 1000 >= steady_from]
    # The CPU notes are written when a request ends, after its response was sent.
    cpu_of: dict[str, list[float]] = {}
    ahead_of: dict[str, list[float]] = {}
    for note in cpu_notes:
        if note["time"] >= steady_from:
            cpu_of.setdefault(label(note["page"]), []).append(note["cpu_ms"])
            ahead_of.setdefault(label(note["page"]), []).append(note.get("ahead_ms", 0.0))
    loop_cpu = [ms for name, values in cpu_of.items() if name not in LOGIN_PAGES for ms in values]
    seconds = ended - steady_from
    pages = sorted({s[0] for s in loop}, key=lambda n: -sum(1 for s in loop if s[0] == n))
    header = (
        f"  {'page':<40} {'reqs':>6} {'req/s':>7} {'errors':>6} "
        f"{'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'cpu/req':>7} {'ahead':>7}   (ms)"
    )
    print()
    print(
        f"Load test: {args.users} managers (spawn {args.spawn_rate}/s) and one finance officer "
        f"who changes a forecast every {args.change_every:g} s (0 = never), {args.duration} s, "
        f"wait {args.wait[0]:g}-{args.wait[1]:g} s between requests; gunicorn "
        f"{args.workers} workers x {args.threads} threads"
        f"{' (gthread)' if args.threads > 1 else ' (sync)'}, "
        f"CONN_MAX_AGE={_conn_max_age(args)}, DEBUG=0, PostgreSQL {DB_NAME}, cache Redis"
    )
    if data:
        print(
            f"Data: demo + generated {data['agreements']} agreements, {data['activities']} "
            f"activities, {data['ledger_rows']} ledger rows ({data['seconds']} s to generate)"
        )
    print(
        f"Steady state: {seconds:.1f} s, from {steady_from - started:.1f} s into the run, when "
        f"every user had started and logged in"
    )
    print_machine_load(cpu)
    print(header)
    for name in pages:
        samples_of = [s for s in loop if s[0] == name]
        print(report_row(name, samples_of, seconds, cpu_of.get(name), ahead_of.get(name)))
        if name in references:
            ref = references[name]
            print(
                f"    its {ref['rows']} rows' table: django-tables2 {ref['table_ms']:.1f} ms CPU, "
                f"the same rows by a plain template loop {ref['plain_ms']:.1f} ms (reference)"
                + (
                    f"; {ref['table_queries']} and {ref['plain_queries']} queries while rendering"
                    if ref.get("table_queries") or ref.get("plain_queries")
                    else ""
                )
            )
    print(report_row("ALL PAGES (steady state)", loop, seconds, loop_cpu))
    print()
    whole = ended - started
    print(f"  Whole run, ramp-up and logins included ({whole:.1f} s):")
    print(report_row("all pages", everything, whole))
    if logins:
        print(report_row("login (once per user, GET + POST)", logins, whole))
    if first_views:
        print(report_row("first view of a year (not viewed before)", first_views, whole))
    if cold:
        print_cold_views(cold)
    print()
    print("  Single request, unloaded (median of the warm-up requests, ms):")
    for name, ms in warm.items():
        print(f"    {name:<40} {ms:>7.0f}")
    print()
    print(
        f"  CPU (2 cores = 200 %): machine busy {200 * cpu['busy_before']:.0f} % in the 3 s "
        f"before the run (other processes), {200 * cpu['busy_during']:.0f} % during it; "
        f"gunicorn used {cpu['gunicorn_seconds']:.1f} CPU-s, "
        f"{1000 * cpu['gunicorn_seconds'] / len(samples):.0f} ms per request (PostgreSQL "
        f"not counted)"
    )
    noted = sum(note["cpu_ms"] + note.get("ahead_ms", 0.0) for note in cpu_notes) / 1000
    ahead = [note["ahead_ms"] for note in cpu_notes if note.get("ahead_ms")]
    print(
        f"  cpu/req: gunicorn's CPU per request, from the call to the app to the response closed, "
        f"without the dashboards built ahead then; ahead: the CPU per request spent after the "
        f"response building the dashboards a write made old ({len(ahead)} builds ahead, "
        f"{sum(ahead) / max(len(ahead), 1):.0f} ms each: the data's cost once per change, "
        f"judged by the first view's 200 ms above, not the page's). {noted:.1f} CPU-s of "
        f"gunicorn's {cpu['gunicorn_seconds']:.1f} was in requests (the rest: the master, "
        f"worker start-up)"
    )
    heavy = {
        name: sum(values) / len(values)
        for name, values in cpu_of.items()
        if name not in LOGIN_PAGES and sum(values) / len(values) > TARGET_CPU_MS
    }
    verdict = ", ".join(f"{name} {ms:.1f}" for name, ms in heavy.items())
    print(
        f"  Target every page's CPU per request at or under {TARGET_CPU_MS:.0f} ms: "
        + (f"NOT MET: {verdict}" if heavy else "MET")
    )
    if cpu["busy_before"] > 0.15:
        print(
            "  WARNING: other processes were using the CPU before the run; latencies are "
            "inflated. Run again on a quiet machine."
        )
    errors = [s for s in samples if s[2]]
    if errors:
        print()
        print("  Errors:")
        kinds: dict[tuple[str, str], int] = {}
        for s in errors:
            kinds[(s[0], s[2])] = kinds.get((s[0], s[2]), 0) + 1
        for (name, message), count in sorted(kinds.items(), key=lambda kv: -kv[1])[:10]:
            print(f"    {count:>5} x {name}: {message[:100]}")
    p95 = percentile(sorted(s[1] for s in loop), 95)
    slow = [
        n for n in pages if percentile(sorted(s[1] for s in loop if s[0] == n), 95) >= TARGET_P95_MS
    ]
    met = p95 < TARGET_ALL_P95_MS and not slow and not errors
    print()
    print(
        f"Target all pages' p95 under {TARGET_ALL_P95_MS:.0f} ms, every page's p95 under "
        f"{TARGET_P95_MS:.0f} ms, no errors: {'MET' if met else 'NOT MET'} (p95 {p95:.0f} ms, "
        f"{len(errors)} errors, {len(loop) / seconds:.1f} req/s)"
    )
    if slow:
        print(f"Pages with p95 at or over {TARGET_P95_MS:.0f} ms: {', '.join(slow)}")
    return met
