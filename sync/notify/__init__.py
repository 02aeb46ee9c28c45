"""Reminders and bulletins that reach people (催办): after a sync, what each person or group gets, and
delivering it once by e-mail or a WeCom / DingTalk / Feishu group robot.

Data flows one way: :mod:`.contacts` (the book's 通讯录 tab) and the sync's outcome → :mod:`.compose`
(the messages, from the templates in :mod:`.templates`) → :mod:`.deliver` (the :mod:`.outbox` in the
history database decides what may be sent; a channel module sends it: :mod:`.mail`, :mod:`.wecom`,
:mod:`.dingtalk`, :mod:`.feishu`). :mod:`.settings` reads the ``[notify]`` table of dispatchbook.toml,
:mod:`.secrets` the passwords and webhook keys it names.
"""
