from lambdatop.cli import main

raise SystemExit(main())
