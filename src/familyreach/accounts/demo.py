from familyreach.accounts.services import DEMO_PASSWORD, demo_accounts_ensure
from familyreach.core.output import Output


def load(stdout: Output) -> None:
    users = demo_accounts_ensure()
    stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):\n")
    for user in users:
        roles = ", ".join(role.label for role in user.roles)
        if user.all_districts:
            roles += " (every district)"
        elif user.district_code:
            roles += f" (district {user.district_code})"
        stdout.write(f"  {user.username:<16} {roles}\n")
