"""Feedback written by `course grade` carries what `nbgrader release_feedback` needs.
`course grade` 写出的反馈带有 `nbgrader release_feedback` 所需的文件。
"""

from course.grading.reports.feedback import SUBMISSION_STAMPS, copy_submission_stamps


def test_the_submission_timestamp_and_secret_go_beside_the_feedback(tmp_path):
    """timestamp.txt and submission_secret.txt are copied from the submission / 从提交中复制时间戳与密钥"""
    submission, feedback = tmp_path / "submitted", tmp_path / "feedback"
    submission.mkdir()
    feedback.mkdir()
    (submission / "timestamp.txt").write_text("2026-11-28 09:00:00.000000 UTC")
    (submission / "submission_secret.txt").write_text("f00d" * 32)
    copy_submission_stamps(submission, feedback)
    assert {n: (feedback / n).read_text() for n in SUBMISSION_STAMPS} == {
        n: (submission / n).read_text() for n in SUBMISSION_STAMPS
    }


def test_no_stale_stamp_and_no_link_followed(tmp_path):
    """A stamp of an earlier submission is removed; a symlinked stamp is not followed / 删除旧的时间戳，不跟随符号链接"""
    submission, feedback = tmp_path / "submitted", tmp_path / "feedback"
    submission.mkdir()
    feedback.mkdir()
    (feedback / "timestamp.txt").write_text("an earlier submission")
    secret = tmp_path / "someone-else's-secret"
    secret.write_text("not yours")
    (submission / "submission_secret.txt").symlink_to(secret)
    copy_submission_stamps(submission, feedback)
    assert not any((feedback / n).exists() for n in SUBMISSION_STAMPS)
