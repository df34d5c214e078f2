select id from `project.dataset.table`
