"""The course map: sections, their prerequisites and what the learner remembers of each."""
