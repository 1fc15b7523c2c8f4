"""Submissions a malicious or careless learner could hand in, built from the course's own notebooks.
恶意或粗心的学生可能提交的笔记本，由课程自己的笔记本构造而成。"""
