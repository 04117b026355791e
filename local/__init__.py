"""The local stack: embedded AWS emulator, bootstrap from infra/, snapshots, demo seed. Never deployed."""
