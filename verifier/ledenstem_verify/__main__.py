from ledenstem_verify.cli import run

run()
