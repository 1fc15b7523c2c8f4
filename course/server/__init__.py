"""The class server: one machine, JupyterHub, Unix accounts, the exchange / 课堂服务器：JupyterHub、Unix 账户与交换目录。

    hub           ``course hub env|up|stop|down``: the class environment, folders, proxy, JupyterHub (deploy/hub)
    accounts      ``course hub roster|remove``: the class's Unix logins and gradebook students
    class_limits  each learner's control group: memory and CPU limits, nothing outliving their server
    class_spawner JupyterHub's spawner that puts each learner's server in that group (imported by the hub only)
    processes     which processes have ended, which of a process group still run (read from /proc)
    collect       nbgrader's exchange on a shared server: only submissions their student owns, each kept private
    testing       test-only: throwaway class servers and free ports for tests/ and benchmarks/
"""
