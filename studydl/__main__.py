from studydl.cli import main

main()
