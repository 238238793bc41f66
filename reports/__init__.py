"""Reports: the weekly digest (HTML, e-mail), the plan's periodic report (.docx + CSV), policy watch."""
