"""Loaded by shopfds-test next to the locustfile (`locust -f yours.py,shopfds_final_csv.py`).

Locust 2.x writes its --csv files from a greenlet once a second and flushes the appended
_stats_history.csv only every 10 s, with no last write when it quits: the final second of
statistics and up to 10 s of history never reach the files. When Locust quits (end of --run-time,
Ctrl-C or SIGTERM), this writes one last round of every CSV file and flushes them, so the files
hold the same totals Locust prints. It defines no users and changes nothing else.
"""
import time

from locust import events
from locust.stats import StatsCSVFileWriter

_writers = []
_original_init = StatsCSVFileWriter.__init__


def _tracking_init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    _writers.append(self)


StatsCSVFileWriter.__init__ = _tracking_init


@events.quit.add_listener
def _write_final_round(**_kwargs):
    now = time.time()
    for writer in _writers:
        try:
            if writer.stats_history_csv_filehandle.tell() == 0:
                writer.stats_history_csv_writer.writerow(writer.stats_history_csv_columns)
            writer._stats_history_data_rows(writer.stats_history_csv_writer, now)
            writer.stats_history_csv_filehandle.flush()
            for handle, write, csv_writer in (
                (writer.requests_csv_filehandle, writer.requests_csv, writer.requests_csv_writer),
                (writer.failures_csv_filehandle, writer.failures_csv, writer.failures_csv_writer),
                (writer.exceptions_csv_filehandle, writer.exceptions_csv, writer.exceptions_csv_writer),
            ):
                handle.seek(0)
                handle.truncate()
                write(csv_writer)
                handle.flush()
        except Exception as error:  # never turn a finished test into a crash
            print(f"shopfds-test: could not write the final CSV round: {error!r}", flush=True)
