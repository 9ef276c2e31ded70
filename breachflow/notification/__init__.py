"""Notification of affected persons: plan, email, letters, phone, substitute measures."""
