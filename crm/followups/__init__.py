"""The shared post-event follow-up of programmers (sequences, consolidated messages, tasks)."""
