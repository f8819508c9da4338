//! Browser tests: the real app, driven in headless Chromium through
//! chromedriver (WebDriver). They run when chromedriver is installed (Debian:
//! chromium, chromium-driver) and are skipped with a message otherwise;
//! `.ci/run` installs both and sets KONVERT_REQUIRE_BROWSER=1 so that CI
//! cannot skip them.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod coordinator;
mod driver;
mod flows;
