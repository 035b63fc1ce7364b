"""Helpers shared by the test suites: sample events, fake Lambda context, emulator seeding."""
