from paratui.cli import main

raise SystemExit(main())
