"""Theo dõi công tác thông tin, tuyên truyền cải cách hành chính: reading, metrics, reports."""
