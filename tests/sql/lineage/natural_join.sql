-- catalog: hr.employees: employee_id, department_id, name
-- catalog: hr.departments: department_id, department_name
select *, department_id as dept
from hr.employees natural join hr.departments
