"""A tiny module so the sample workspace has Python code for Venv Manager to activate on."""
import sys


def greeting(name: str) -> str:
    return f"Hello, {name}, from Python {sys.version_info.major}.{sys.version_info.minor}"


if __name__ == "__main__":
    print(greeting(sys.argv[1] if len(sys.argv) > 1 else "world"))
    print("running in", sys.prefix)
