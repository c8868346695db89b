from carbonpeak.cli import main

main()
