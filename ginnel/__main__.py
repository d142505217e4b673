from ginnel.cli import main

main()
