"""People: accounts in Amazon Cognito (identities, passwords), and in callcard's table their memberships of
projects (role, name, extension) and their signed-in sessions (DESIGN.md section 4a)."""
