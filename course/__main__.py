"""``python -m course``: the same as the ``course`` command / 与 ``course`` 命令相同。"""

import sys

from course.cli import main

sys.exit(main())
