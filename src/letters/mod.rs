//! Letters as a writer composes them: the checks the composer runs (pages and
//! cost, Latin letters, words that get letters censored). Filled in by the
//! composer work.
